"""Form fields and parsing every domain shares (sums of money, dates), below all of them so none imports another."""
