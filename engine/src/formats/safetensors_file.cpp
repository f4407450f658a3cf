// The .safetensors layout: 8 bytes little-endian header length N, N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the
// data section, to which the offsets are relative.
#include "safetensors_file.h"

#include "attn/error.h"
#include "message_text.h"
#include "float_convert.h"
#include "format_checks.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>

namespace attn::formats {

namespace {

using nlohmann::json;

struct DtypeInfo {
    const char* name;
    SafetensorsDtype dtype;
    std::size_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {"F16", SafetensorsDtype::F16, 2},
    {"BF16", SafetensorsDtype::BF16, 2},
    {"F32", SafetensorsDtype::F32, 4},
    {"F64", SafetensorsDtype::F64, 8},
    {"I64", SafetensorsDtype::Other, 8},
    {"I32", SafetensorsDtype::Other, 4},
    {"I16", SafetensorsDtype::Other, 2},
    {"I8", SafetensorsDtype::Other, 1},
    {"U8", SafetensorsDtype::Other, 1},
    {"BOOL", SafetensorsDtype::Other, 1},
};

const DtypeInfo* findDtype(const std::string& name)
{
    for (const DtypeInfo& info : kDtypes)
        if (name == info.name)
            return &info;
    return nullptr;
}

std::string unsupported(const std::string& dtypeName)
{
    return "has dtype " + dtypeName + ", which is not supported; store it as F32, F16, BF16 or F64";
}

std::string offsetsText(const SafetensorsEntry& entry)
{
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + std::to_string(...).
    std::string text = "[";
    text += std::to_string(entry.begin);
    text += ", ";
    text += std::to_string(entry.end);
    text += ']';
    return text;
}

// A non-negative integer that fits in size_t, or nothing.
std::optional<std::size_t> wholeNumber(const json& value)
{
    if (!value.is_number_unsigned())
        return std::nullopt;
    return std::size_t(value.get<std::uint64_t>());
}

class EntryParser {
public:
    EntryParser(const std::string& path, const std::string& name) : prefix_(path + ": tensor '" + name + "'") {}

    SafetensorsEntry parse(const std::string& name, const json& value, std::size_t dataSize) const
    {
        if (!value.is_object())
            fail("has an entry that is not a JSON object; each tensor needs dtype, shape and data_offsets");
        SafetensorsEntry entry;
        entry.name = name;

        const json& dtype = field(value, "dtype");
        if (!dtype.is_string())
            fail("has a dtype that is not a string");
        entry.dtypeName = dtype.get<std::string>();
        const DtypeInfo* info = findDtype(entry.dtypeName);
        if (!info)
            fail(unsupported(entry.dtypeName));
        entry.dtype = info->dtype;

        const json& shape = field(value, "shape");
        if (!shape.is_array())
            fail("has a shape that is not a list");
        for (const json& dim : shape) {
            const std::optional<std::size_t> size = wholeNumber(dim);
            if (!size)
                fail("has a shape with an entry that is not a non-negative whole number: " + shape.dump());
            entry.shape.push_back(*size);
        }

        const json& offsets = field(value, "data_offsets");
        const std::optional<std::size_t> begin = offsets.is_array() && offsets.size() == 2 ? wholeNumber(offsets[0]) : std::nullopt;
        const std::optional<std::size_t> end = offsets.is_array() && offsets.size() == 2 ? wholeNumber(offsets[1]) : std::nullopt;
        if (!begin || !end)
            fail("has data_offsets " + offsets.dump() + "; they must be two non-negative whole numbers [begin, end]");
        entry.begin = *begin;
        entry.end = *end;

        if (entry.end < entry.begin)
            fail("has data_offsets " + offsetsText(entry) + " whose end lies before its begin");
        if (entry.end > dataSize)
            fail("has data_offsets " + offsetsText(entry) + " outside the data section of " + std::to_string(dataSize)
                 + " bytes; the file is truncated or its header is wrong");
        const std::optional<std::size_t> needed = byteCount(entry.shape, info->size);
        if (!needed)
            fail("has shape " + shape.dump() + " whose byte count overflows");
        if (*needed != entry.end - entry.begin)
            fail("holds " + std::to_string(entry.end - entry.begin) + " bytes but shape " + shape.dump() + " of "
                 + entry.dtypeName + " needs " + std::to_string(*needed) + "; the byte count disagrees with the shape");
        return entry;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const { throw Error(prefix_ + " " + problem + "."); }

    const json& field(const json& value, const char* key) const
    {
        const auto it = value.find(key);
        if (it == value.end())
            fail(std::string("is missing the field '") + key + "'");
        return *it;
    }

    std::string prefix_;
};

// The tensors tile the data section, as the safetensors format requires: in order of
// their offsets each begins where the one before it ends, and the last ends with the
// file. An overlap would give two tensors the same bytes; a gap or a tail is bytes that
// belong to none, a sign of offsets written wrongly. Empty tensors occupy nothing.
void requireTensorsTileTheData(std::vector<SafetensorsEntry> entries, std::size_t dataSize, const std::string& path)
{
    std::erase_if(entries, [](const SafetensorsEntry& e) { return e.begin == e.end; });
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
    std::size_t covered = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const SafetensorsEntry& entry = entries[i];
        if (i > 0 && entry.begin < covered)
            throw Error(path + ": tensors '" + entries[i - 1].name + "' " + offsetsText(entries[i - 1]) + " and '"
                        + entry.name + "' " + offsetsText(entry) + " overlap; each tensor needs bytes of its own.");
        if (entry.begin > covered)
            throw Error(path + ": bytes " + std::to_string(covered) + " to " + std::to_string(entry.begin)
                        + " of the data section, before tensor '" + entry.name + "' " + offsetsText(entry)
                        + ", belong to no tensor; the offsets are wrong or the file is corrupt.");
        covered = entry.end;
    }
    if (covered != dataSize)
        throw Error(path + ": the data section holds " + std::to_string(dataSize - covered) + " bytes after the last "
                    "tensor that belong to none; the offsets are wrong or the file is corrupt.");
}

} // namespace

SafetensorsFile::SafetensorsFile(const std::string& path) : file_(path)
{
    const std::span<const std::byte> bytes = file_.bytes();
    if (bytes.size() < 8)
        throw Error(path + ": the file is too short (" + std::to_string(bytes.size())
                    + " bytes) to be .safetensors; it needs at least the 8-byte header length.");
    const std::uint64_t headerLength = loadLittleEndian<std::uint64_t>(bytes.data());
    const std::string_view magic(reinterpret_cast<const char*>(bytes.data()), 6);
    if (magic == std::string_view("\x93NUMPY", 6))
        throw Error(path + ": this is a NumPy .npy file, not .safetensors; give inputs X with --inputs, "
                           "and a layer's weights as .safetensors with --weights.");
    if (magic.substr(0, 4) == std::string_view("PK\x03\x04", 4))
        throw Error(path + ": this is a zip archive, as torch.save writes (.pt, .bin), not .safetensors; "
                           "save the layer's state_dict with safetensors.torch.save_file and give that file.");
    if (headerLength > kMaxHeaderBytes)
        throw Error(path + ": header length " + std::to_string(headerLength)
                    + " is absurd (over 100 MB); this is not a .safetensors file or it is corrupt.");
    if (headerLength > bytes.size() - 8)
        throw Error(path + ": header length " + std::to_string(headerLength) + " runs past the end of the "
                    + std::to_string(bytes.size()) + "-byte file; the file is truncated.");
    dataStart_ = 8 + std::size_t(headerLength);
    const std::size_t dataSize = bytes.size() - dataStart_;

    // JSON keeps the last of two entries of one name; the format allows one.
    std::set<std::string> names;
    std::string twice;
    const auto findTwice = [&](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::key && depth == 1 && !names.insert(parsed.get<std::string>()).second
            && twice.empty())
            twice = parsed.get<std::string>();
        return true;
    };
    json header;
    try {
        const char* text = reinterpret_cast<const char*>(bytes.data() + 8);
        header = json::parse(text, text + headerLength, findTwice);
    } catch (const json::exception& error) { // a syntax error, or a number past double's range
        throw Error(path + ": the header is not valid JSON (" + jsonProblemText(error.what()) + ").");
    }
    if (!twice.empty())
        throw Error(path + ": the header has two entries named '" + twice
                    + "'; which one is meant cannot be known: the file is corrupt.");
    if (!header.is_object())
        throw Error(path + ": the header is JSON but not an object of tensors.");

    for (const auto& [name, value] : header.items()) {
        if (name == "__metadata__") // free-form strings; nothing of ours
            continue;
        entries_.push_back(EntryParser(path, name).parse(name, value, dataSize));
    }
    requireTensorsTileTheData(entries_, dataSize, path);
}

const SafetensorsEntry* SafetensorsFile::find(const std::string& name) const
{
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                                     [](const SafetensorsEntry& e, const std::string& n) { return e.name < n; });
    return it != entries_.end() && it->name == name ? &*it : nullptr;
}

std::span<const std::byte> SafetensorsFile::bytes(const SafetensorsEntry& entry) const
{
    return file_.bytes().subspan(dataStart_ + entry.begin, entry.end - entry.begin);
}

template <typename Body>
void SafetensorsFile::decodeWith(const SafetensorsEntry& entry, const std::string& what, Body body) const
{
    const std::byte* source = bytes(entry).data();
    // One instantiation of `body` per dtype, so that its loops inline the decoding.
    switch (entry.dtype) {
    case SafetensorsDtype::F16:
        return body([&](std::size_t i) { return halfToFloat(loadLittleEndian<std::uint16_t>(source + 2 * i)); });
    case SafetensorsDtype::BF16:
        return body([&](std::size_t i) { return bfloat16ToFloat(loadLittleEndian<std::uint16_t>(source + 2 * i)); });
    case SafetensorsDtype::F32:
        return body([&](std::size_t i) { return loadLittleEndian<float>(source + 4 * i); });
    case SafetensorsDtype::F64:
        return body([&](std::size_t i) {
            return narrowToFloat(loadLittleEndian<double>(source + 8 * i), entry.shape, i, what);
        });
    case SafetensorsDtype::Other:
        break;
    }
    throw Error(what + " " + unsupported(entry.dtypeName) + ".");
}

Tensor SafetensorsFile::toFloat32(const SafetensorsEntry& entry) const
{
    const std::string what = path() + ": tensor '" + entry.name + "'";
    Tensor tensor(entry.shape);
    decodeWith(entry, what, [&](auto decode) {
        if (entry.dtype == SafetensorsDtype::F32 && !tensor.empty()) // the hot case: a plain copy
            std::memcpy(tensor.ptr(), bytes(entry).data(), tensor.size() * sizeof(float));
        else
            for (std::size_t i = 0; i < tensor.size(); ++i)
                tensor.data[i] = decode(i);
    });
    requireFinite(tensor, what);
    return tensor;
}

Tensor SafetensorsFile::columnsToFloat32(const SafetensorsEntry& entry, std::size_t first, std::size_t count) const
{
    const std::string what = path() + ": tensor '" + entry.name + "'";
    if (entry.shape.size() != 2 || first + count > entry.shape[1])
        throw Error(what + " has shape " + Tensor::shapeText(entry.shape) + ", not a matrix with columns "
                    + std::to_string(first) + " to " + std::to_string(first + count - 1) + ".");
    const std::size_t rows = entry.shape[0], cols = entry.shape[1];
    Tensor tensor({count, rows});
    decodeWith(entry, what, [&](auto decode) {
        // Through a 16 x 16 tile: every cache line of the source and of the result is then
        // read or written whole at once. Going straight, one side strides by a multiple of
        // 4 KiB (3072 floats), and its lines evict each other from the first-level cache.
        constexpr std::size_t block = 16;
        float tile[block][block];
        for (std::size_t i0 = 0; i0 < rows; i0 += block) {
            const std::size_t height = std::min(block, rows - i0);
            for (std::size_t o0 = 0; o0 < count; o0 += block) {
                const std::size_t width = std::min(block, count - o0);
                for (std::size_t i = 0; i < height; ++i)
                    for (std::size_t o = 0; o < width; ++o)
                        tile[o][i] = decode((i0 + i) * cols + first + o0 + o);
                for (std::size_t o = 0; o < width; ++o)
                    std::copy_n(tile[o], height, tensor.ptr() + (o0 + o) * rows + i0);
            }
        }
    });
    requireFinite(tensor, what);
    return tensor;
}

} // namespace attn::formats
