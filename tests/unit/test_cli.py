from click.testing import CliRunner

from bastion import __version__
from bastion.server.cli import main


def test_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(main, ["version"])
    assert result.exit_code == 0
    assert result.output == f"Bastion {__version__}\n"
