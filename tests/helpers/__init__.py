"""Helpers the tests share: the API test client, live `betrokken serve` processes, worlds to test on."""
