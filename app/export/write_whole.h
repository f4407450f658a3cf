// Writing a file whole, or saying why not in the system's words.
#pragma once

#include <QByteArray>
#include <QFileDevice>

// Writes all of bytes into file, which is open unbuffered (buffered, a short write is only
// found by commit() or close(), without a reason). A write cut short (the disk filled
// part-way) sets no error, so its reason would read "Unknown error": writing the rest gets
// the system's own ("No space left on device"). False on failure; file.errorString() says why.
bool writeWhole(QFileDevice& file, const QByteArray& bytes);
