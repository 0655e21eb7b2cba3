"""Succession: positions kept from roster events, ranked candidates for a vacant position, bench strength, the merit-system flag."""
