rule a { strings: $s = "include" condition: $s }
