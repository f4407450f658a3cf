// Floats written into JSON files (sessions, dump manifests) as people typed them.
#pragma once

// The float's shortest decimal, as a double: 0.05 in the file, not 0.05000000074505806
// (the float widened). It reads back as the same float.
double shortestDecimal(float value);
