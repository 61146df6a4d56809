"""creditline: warehouse and reports for revolving consumer credit lines."""
