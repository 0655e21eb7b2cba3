"""Development plans: the per-box treatment and the assessment's development needs as plan items with an owner, dates and a status; the employee's rapor."""
