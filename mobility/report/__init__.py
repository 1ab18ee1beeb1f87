"""Output writers (CSV, xlsx), plots and the HTML report."""
