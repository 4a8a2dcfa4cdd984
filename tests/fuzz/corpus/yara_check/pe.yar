import "pe"
rule b { condition: pe.is_dll() and filename matches /x/ }
