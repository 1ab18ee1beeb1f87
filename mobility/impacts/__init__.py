"""Impact indicators: congestion, emissions, noise, accessibility and cost-benefit."""
