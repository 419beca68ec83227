"""Loopback stand-ins for the outside world, used by the tests, the demo and the benchmarks."""
