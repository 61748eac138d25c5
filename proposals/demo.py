"""`flask --app wsgi seed-demo` (being written)."""
import click


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True)
def seed_demo_command(if_empty):
    """Fill an empty database with the demo communities."""
