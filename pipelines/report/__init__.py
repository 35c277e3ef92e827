"""`budget-warehouse report`: one department's budget and targets as a page to attach, not a server.

The page is one HTML file that opens offline (plotly's own script inlined) and a PDF of it printed
by Chromium; both are made from the marts of the published warehouse, opened read-only.
"""
