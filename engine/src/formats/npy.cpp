// NumPy .npy reading and writing, following numpy/lib/format.py (versions 1.0 to 3.0).
#include "attn/npy.h"

#include "attn/error.h"
#include "float_convert.h"
#include "format_checks.h"
#include "mapped_file.h"
#include "npy_header.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <string_view>
#include <system_error>

namespace attn {

namespace {

constexpr std::array<unsigned char, 6> kMagic = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kMagicAndVersion = 8;
constexpr std::size_t kAlign = 64;         // numpy's ARRAY_ALIGN
constexpr std::size_t kGrowthDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS (numpy >= 1.24)

struct Layout {
    formats::NpyHeader header;
    std::size_t dataStart = 0;
};

Layout readLayout(std::span<const std::byte> bytes, const std::string& path)
{
    if (bytes.empty())
        throw Error(path + ": the file is empty, not a .npy file (no magic). Save arrays with numpy.save.");
    const std::size_t magicBytes = std::min(bytes.size(), kMagic.size());
    if (std::memcmp(bytes.data(), kMagic.data(), magicBytes) != 0)
        throw Error(path + ": not a .npy file (bad magic: it does not start with \"\\x93NUMPY\"). Save arrays with numpy.save.");
    if (bytes.size() < kMagicAndVersion)
        throw Error(path + ": truncated header: the file ends after " + std::to_string(bytes.size()) + " bytes.");
    const auto major = std::to_integer<unsigned>(bytes[6]);
    const auto minor = std::to_integer<unsigned>(bytes[7]);
    if (major < 1 || major > 3 || minor != 0)
        throw Error(path + ": .npy version " + std::to_string(major) + "." + std::to_string(minor)
                    + " is not supported (only 1.0, 2.0 and 3.0).");
    // Version 1.0 stores the header length in 2 bytes, later versions in 4.
    const std::size_t lengthBytes = major == 1 ? 2 : 4;
    if (bytes.size() < kMagicAndVersion + lengthBytes)
        throw Error(path + ": truncated header: the file ends before the header length.");
    const std::size_t headerLength = major == 1 ? formats::loadLittleEndian<std::uint16_t>(&bytes[8])
                                                : formats::loadLittleEndian<std::uint32_t>(&bytes[8]);
    const std::size_t headerStart = kMagicAndVersion + lengthBytes;
    if (headerLength > bytes.size() - headerStart)
        throw Error(path + ": header length " + std::to_string(headerLength) + " runs past the end of the "
                    + std::to_string(bytes.size()) + "-byte file; the file is truncated or corrupt.");
    const std::string_view text(reinterpret_cast<const char*>(&bytes[headerStart]), headerLength);
    return {formats::parseNpyHeader(text, path), headerStart + headerLength};
}

Tensor decode(std::span<const std::byte> data, const formats::NpyHeader& header, const std::string& path)
{
    Tensor tensor(header.shape);
    if (header.descr == "<f4") {
        if (!data.empty())
            std::memcpy(tensor.ptr(), data.data(), data.size());
        return tensor;
    }
    for (std::size_t i = 0; i < tensor.size(); ++i)
        tensor.data[i] = formats::narrowToFloat(formats::loadLittleEndian<double>(&data[i * sizeof(double)]),
                                                header.shape, i, path);
    return tensor;
}

// The header checked for what readNpy reads (dtype, order) and against the file's size.
Layout checkedLayout(std::span<const std::byte> bytes, const std::string& path)
{
    const Layout layout = readLayout(bytes, path);
    const formats::NpyHeader& header = layout.header;

    std::size_t itemSize = 0;
    if (header.descr == "<f4")
        itemSize = 4;
    else if (header.descr == "<f8")
        itemSize = 8;
    else
        throw Error(path + ": dtype '" + header.descr + "' is not supported; only little-endian float32 ('<f4') and "
                    "float64 ('<f8') are. Convert with array.astype(numpy.float32).");
    if (header.fortranOrder)
        throw Error(path + ": the array is stored in Fortran order (fortran_order True); only C order is supported. "
                    "Save numpy.ascontiguousarray(array) instead.");

    const std::optional<std::size_t> needed = formats::byteCount(header.shape, itemSize);
    if (!needed)
        throw Error(path + ": shape " + formats::shapeRepr(header.shape) + " is absurd: its byte count overflows.");
    const std::size_t present = bytes.size() - layout.dataStart;
    if (present < *needed)
        throw Error(path + ": data is truncated: shape " + formats::shapeRepr(header.shape) + " of '" + header.descr
                    + "' needs " + std::to_string(*needed) + " bytes but the file holds " + std::to_string(present) + ".");
    if (present > *needed)
        throw Error(path + ": " + std::to_string(present - *needed) + " extra bytes after the data that shape "
                    + formats::shapeRepr(header.shape) + " needs; the header and the data disagree.");
    return layout;
}

} // namespace

Tensor readNpy(const std::string& path)
{
    const formats::MappedFile file(path);
    const Layout layout = checkedLayout(file.bytes(), path);
    Tensor tensor = decode(file.bytes().subspan(layout.dataStart), layout.header, path);
    formats::requireFinite(tensor, path);
    return tensor;
}

std::vector<std::size_t> readNpyShape(const std::string& path)
{
    const formats::MappedFile file(path);
    return checkedLayout(file.bytes(), path).header.shape;
}

void writeNpy(const std::string& path, const Tensor& tensor)
{
    const std::optional<std::size_t> bytes = formats::byteCount(tensor.shape, sizeof(float));
    if (!bytes || *bytes != tensor.data.size() * sizeof(float))
        throw Error("cannot write " + path + ": the tensor holds " + std::to_string(tensor.data.size())
                    + " values, which does not match its shape " + tensor.shapeText() + ".");

    // The same bytes numpy 1.24's numpy.save writes: sorted keys, spare spaces so the first
    // axis can grow in place, spaces and a newline up to a multiple of 64 bytes.
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + formats::shapeRepr(tensor.shape) + ", }";
    if (!tensor.shape.empty())
        header.append(kGrowthDigits - std::min(kGrowthDigits, std::to_string(tensor.shape[0]).size()), ' ');
    const std::size_t unpadded = kMagicAndVersion + 2 + header.size() + 1;
    header.append(kAlign - unpadded % kAlign, ' ');
    header += '\n';
    if (header.size() > 0xffff)
        throw Error("cannot write " + path + ": the shape " + tensor.shapeText() + " has too many axes for a .npy header.");

    errno = 0;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) // the system's reason where it gave one: a read-only file, a folder that is missing, ...
        throw Error("cannot write " + path + ": "
                    + (errno != 0 ? std::generic_category().message(errno) : std::string("the file cannot be created"))
                    + ". Check that the folder exists and that the file and the folder may be written.");
    out.write(reinterpret_cast<const char*>(kMagic.data()), kMagic.size());
    const char version[2] = {1, 0};
    out.write(version, 2);
    const char length[2] = {char(header.size() & 0xff), char(header.size() >> 8)};
    out.write(length, 2);
    out.write(header.data(), std::streamsize(header.size()));
    out.write(reinterpret_cast<const char*>(tensor.ptr()), std::streamsize(*bytes));
    out.close();
    if (!out)
        throw Error("cannot write " + path + ": writing failed (disk full or removed?).");
}

} // namespace attn
