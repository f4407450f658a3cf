#include "npy_header.h"

#include "attn/error.h"

#include <cctype>
#include <optional>

namespace attn::formats {

namespace {

class HeaderParser {
public:
    HeaderParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

    NpyHeader parse()
    {
        NpyHeader header;
        bool seenDescr = false, seenOrder = false, seenShape = false;
        expect('{');
        while (!peekIs('}')) {
            const std::string key = parseString("a key");
            expect(':');
            if (key == "descr") {
                markSeen(seenDescr, key);
                if (!peekIs('\'') && !peekIs('"'))
                    fail("the dtype (descr) is not a simple type string; structured and record arrays are not "
                         "supported. Save a plain float32 array, e.g. numpy.save(path, a.astype(numpy.float32))");
                header.descr = parseString("the descr value");
            } else if (key == "fortran_order") {
                markSeen(seenOrder, key);
                header.fortranOrder = parseBool();
            } else if (key == "shape") {
                markSeen(seenShape, key);
                header.shape = parseShape();
            } else {
                fail("header has an unexpected key '" + key + "'; only descr, fortran_order and shape are allowed");
            }
            if (!peekIs(','))
                break;
            expect(',');
        }
        expect('}');
        skipSpace();
        if (pos_ != text_.size())
            fail("header has text after the closing brace");
        if (!seenDescr || !seenOrder || !seenShape)
            fail(std::string("header lacks the key '") + (!seenDescr ? "descr" : !seenOrder ? "fortran_order" : "shape")
                 + "'");
        return header;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const
    {
        throw Error(path_ + ": malformed .npy header: " + problem + ".");
    }

    void markSeen(bool& seen, const std::string& key) const
    {
        if (seen)
            fail("the key '" + key + "' appears twice");
        seen = true;
    }

    void skipSpace()
    {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
    }

    bool peekIs(char c)
    {
        skipSpace();
        return pos_ < text_.size() && text_[pos_] == c;
    }

    void expect(char c)
    {
        if (!peekIs(c))
            fail(std::string("expected '") + c + "' at character " + std::to_string(pos_));
        ++pos_;
    }

    std::string parseString(const char* what)
    {
        skipSpace();
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
            fail(std::string("expected a quoted string for ") + what + " at character " + std::to_string(pos_));
        const char quote = text_[pos_++];
        const std::size_t end = text_.find(quote, pos_);
        if (end == std::string_view::npos)
            fail("a string is not closed");
        std::string value(text_.substr(pos_, end - pos_));
        pos_ = end + 1;
        return value;
    }

    bool parseBool()
    {
        skipSpace();
        if (text_.substr(pos_, 4) == "True") {
            pos_ += 4;
            return true;
        }
        if (text_.substr(pos_, 5) == "False") {
            pos_ += 5;
            return false;
        }
        fail("fortran_order must be True or False");
    }

    std::optional<std::size_t> parseInteger()
    {
        skipSpace();
        if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_])))
            return std::nullopt;
        std::size_t value = 0;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
            if (__builtin_mul_overflow(value, std::size_t(10), &value)
                || __builtin_add_overflow(value, std::size_t(text_[pos_] - '0'), &value))
                fail("a dimension of the shape is too large");
            ++pos_;
        }
        if (pos_ < text_.size() && text_[pos_] == 'L') // Python 2 wrote long integers as 3L
            ++pos_;
        return value;
    }

    std::vector<std::size_t> parseShape()
    {
        if (!peekIs('('))
            fail("shape must be a tuple such as (2, 3), (5,) or ()");
        ++pos_;
        std::vector<std::size_t> shape;
        bool trailingComma = false;
        while (!peekIs(')')) {
            const std::optional<std::size_t> dim = parseInteger();
            if (!dim)
                fail("shape must hold non-negative whole numbers");
            shape.push_back(*dim);
            trailingComma = peekIs(',');
            if (!trailingComma)
                break;
            ++pos_;
        }
        expect(')');
        // In Python "(5)" is the number 5, not a tuple; numpy never writes it.
        if (shape.size() == 1 && !trailingComma)
            fail("shape (" + std::to_string(shape[0]) + ") is not a tuple; a 1-D shape is written (" + std::to_string(shape[0]) + ",)");
        return shape;
    }

    std::string_view text_;
    const std::string& path_;
    std::size_t pos_ = 0;
};

} // namespace

NpyHeader parseNpyHeader(std::string_view text, const std::string& path)
{
    return HeaderParser(text, path).parse();
}

std::string shapeRepr(const std::vector<std::size_t>& shape)
{
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

} // namespace attn::formats
