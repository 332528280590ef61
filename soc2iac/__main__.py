from soc2iac.cli import main

main()
