package org.pshmem.shm;

import java.nio.ByteBuffer;

import com.kenai.jffi.MemoryIO;
import net.openhft.posix.PosixAPI;
import org.pshmem.api.PshmemException;
import org.pshmem.spi.EscapedBuffers;

/**
 * One rank's shared mapping of a segment file on Java 17 to 21, made from a descriptor with {@code mmap} (Chronicle's
 * posix API) and holding no descriptor: the caller closes its descriptor once this is made, so a rank's open files do
 * not grow with its live arrays (the kernel's mapping keeps the file). {@link #close(boolean)} lets go of the file at
 * once: the range is unmapped when no buffer escaped; otherwise the file's pages are swapped for private anonymous
 * pages at the same addresses ({@code mmap(MAP_FIXED | MAP_ANONYMOUS)}), so a buffer over the range reads zeros (the
 * kernel's shared zero page) and never faults, and the range is unmapped once no buffer over it is reachable
 * ({@link EscapedBuffers}, checked whenever a mapping is made or closed; no thread).
 */
final class FdMapping
{
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_SHARED = 0x01;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final long MAP_FAILED = -1L;
    private static final long PAGE = 4096;

    private final long base;
    private final long length;
    private final EscapedBuffers buffers;

    private FdMapping(final long base, final long length)
    {
        this.base = base;
        this.length = length;
        this.buffers = new EscapedBuffers(() -> PosixAPI.posix().munmap(base, length));
    }

    /**
     * Maps {@code total} bytes of an open file, shared and writable; the descriptor stays the caller's.
     *
     * @param fd    an open descriptor of the file, read and write, at least {@code total} bytes long.
     * @param total bytes to map from offset 0.
     * @param what  the file, for messages.
     * @return this rank's mapping.
     */
    static FdMapping map(final int fd, final long total, final String what)
    {
        EscapedBuffers.reap();
        final long length = (total + PAGE - 1) / PAGE * PAGE;
        final PosixAPI posix = PosixAPI.posix();
        final long base = posix.mmap(0, length, PROT_READ_WRITE, MAP_SHARED, fd, 0);
        if (base == MAP_FAILED || base == 0)
        {
            throw new PshmemException("cannot map node memory file " + what + " (" + total + " bytes): " +
                posix.lastErrorStr());
        }
        return new FdMapping(base, length);
    }

    /**
     * @return a direct buffer over {@code length} bytes from {@code offset}, big-endian, positioned at 0; every
     * buffer derived from it keeps it reachable.
     */
    ByteBuffer buffer(final long offset, final int length)
    {
        return buffers.track(MemoryIO.getInstance().newDirectByteBuffer(base + offset, length));
    }

    /**
     * Lets go of the file at once. Idempotent.
     *
     * @param buffersEscaped false when the caller guarantees that no buffer over this mapping is used again: the
     *                       range is then unmapped at once.
     */
    void close(final boolean buffersEscaped)
    {
        buffers.close(buffersEscaped, this::swapForZeroPages);
    }

    /**
     * Replaces the file's pages by zero pages while buffers over the range may still be read. If the swap failed
     * (only out of memory maps), the file's pages stay mapped until the range is unmapped: never a fault, the
     * memory back later.
     */
    private void swapForZeroPages()
    {
        PosixAPI.posix().mmap(base, length, PROT_READ_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
            -1, 0);
    }
}
