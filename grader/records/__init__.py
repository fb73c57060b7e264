"""What is released and recorded: the course folder, the ledger, policy and standing."""
