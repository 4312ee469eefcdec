from spectrum_cli.cli.entry import main

main()
