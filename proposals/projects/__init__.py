"""Funded ideas being built (项目): who is responsible, partners, funding, milestones, the
ledger of spending against plan; and the community dashboard."""
