"""`flask --app wsgi units import COMMUNITY FILE.csv` (being written)."""
import click

units_group = click.Group("units", help="Buildings, units and floor areas.")
