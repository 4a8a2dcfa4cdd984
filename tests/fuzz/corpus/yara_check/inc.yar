include "x.yar"
rule c { condition: true }
