from spectrum_cli.cli.main import main

main()
