"""Staff: accounts, passwords, API tokens, what each role may do, and the audit log."""
