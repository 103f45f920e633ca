"""The `zj` command: the operator's entry point to every management command.

`zj run`, `zj seed`, `zj createadmin`, `zj audit verify`, `zj import-roster`, and any Django command
(`zj migrate`, `zj shell`, ...). Hyphenated names map to the underscored command modules.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1:
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zj", *argv[1:]])


if __name__ == "__main__":
    main()
