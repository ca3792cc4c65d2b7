"""Scheduled work: one lease holder runs the jobs for every app instance and scheduler process."""
