"""The report card (BRIEF §7): aggregate figures and charts for boards and scrutiny committees."""
