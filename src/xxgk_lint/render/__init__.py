"""Render stage: findings -> text / JSON (and SARIF / HTML)."""
