from docgen.cli import main

main(prog_name="docgen")
