#include "mapped_file.h"

#include "attn/error.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attn::formats {

namespace {

// Closes the descriptor on every path out of the constructor; the mapping outlives it.
struct FileDescriptor {
    int fd;
    ~FileDescriptor()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

MappedFile::MappedFile(std::string path) : path_(std::move(path))
{
    // O_NONBLOCK: opening a FIFO would otherwise wait for a writer, forever; it is then
    // refused below as no regular file. On a regular file the flag changes nothing.
    FileDescriptor file{::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
    if (file.fd < 0)
        throw Error(path_ + ": cannot open the file (" + std::strerror(errno) + "). Check the path and its permissions.");
    struct stat info {};
    if (::fstat(file.fd, &info) != 0)
        throw Error(path_ + ": cannot read the file's size (" + std::strerror(errno) + ").");
    if (!S_ISREG(info.st_mode)) {
        const char* what = S_ISDIR(info.st_mode)    ? "a folder"
                           : S_ISFIFO(info.st_mode) ? "a pipe (FIFO)"
                           : S_ISSOCK(info.st_mode) ? "a socket"
                                                    : "a device";
        throw Error(path_ + ": is " + what + ", not a file. Give the path of a file.");
    }
    size_ = std::size_t(info.st_size);
    if (size_ == 0) {
        // Files under /proc and /sys say they hold 0 bytes and are read all the same.
        char probe = 0;
        if (::read(file.fd, &probe, 1) > 0)
            throw Error(path_ + ": says it is 0 bytes long but has contents, as files under /proc do; copy it to "
                                "an ordinary file first.");
        return;
    }
    void* address = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, file.fd, 0);
    if (address == MAP_FAILED)
        throw Error(path_ + ": cannot map the file into memory (" + std::strerror(errno) + ").");
    address_ = address;
}

MappedFile::~MappedFile()
{
    if (address_)
        ::munmap(address_, size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)), address_(std::exchange(other.address_, nullptr)), size_(std::exchange(other.size_, 0))
{
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept
{
    if (this != &other) {
        if (address_)
            ::munmap(address_, size_);
        path_ = std::move(other.path_);
        address_ = std::exchange(other.address_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

} // namespace attn::formats
