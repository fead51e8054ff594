"""Cookie Lab's client: runs a scenario's requests and prints what really happened."""
