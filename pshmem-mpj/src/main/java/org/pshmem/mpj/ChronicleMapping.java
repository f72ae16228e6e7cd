package org.pshmem.mpj;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import com.kenai.jffi.MemoryIO;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.bytes.internal.SingleMappedFile;
import net.openhft.chronicle.core.OS;
import net.openhft.posix.PosixAPI;
import org.pshmem.api.PshmemException;
import org.pshmem.spi.EscapedBuffers;

/**
 * One rank's mapping of a segment file on Java 17 to 21, made by Chronicle Bytes, and let go of at once by
 * {@link #close(boolean)}: the file's pages are swapped for private anonymous pages at the same addresses
 * ({@code mmap(MAP_FIXED | MAP_ANONYMOUS)}) and the file is closed, so this rank holds nothing of the file any
 * more, and a buffer over the range reads zeros (the kernel's shared zero page) and never faults. The range
 * itself is released to Chronicle (which unmaps it in its background thread) at once when no buffer escaped,
 * else once no buffer over it is reachable ({@link EscapedBuffers}, checked whenever a mapping is made or closed;
 * no thread).
 */
final class ChronicleMapping
{
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;

    private final MappedBytes bytes;
    private final long base;
    private final long length;
    private final EscapedBuffers buffers;
    private boolean closed;

    private ChronicleMapping(final MappedBytes bytes, final long total)
    {
        this.bytes = bytes;
        this.base = bytes.addressForRead(0);
        // What Chronicle mapped: the size rounded up to its mapping alignment (the page size on Linux).
        this.length = (total + OS.mapAlignment() - 1) / OS.mapAlignment() * OS.mapAlignment();
        this.buffers = new EscapedBuffers(bytes::releaseLast);
    }

    /**
     * @param path  the segment file, at least {@code total} bytes long.
     * @param total bytes to map from offset 0.
     * @return this rank's mapping.
     */
    static ChronicleMapping map(final Path path, final long total)
    {
        EscapedBuffers.reap();
        try
        {
            return new ChronicleMapping(MappedBytes.singleMappedBytes(new File(path.toString()), total), total);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new PshmemException("cannot map node memory file " + path + " (" + total + " bytes): " + ex, ex);
        }
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
     *                       range is then unmapped at once too.
     */
    void close(final boolean buffersEscaped)
    {
        if (!closed)
        {
            closed = true;
            // Swapped even when the range is released at once below, because Chronicle unmaps in a background
            // thread, later. No release can come before close, so this needs no lock. If the swap failed (only out
            // of memory maps), the file's pages stay mapped until the range is unmapped: never a fault, the
            // memory back later.
            PosixAPI.posix().mmap(base, length, PROT_READ_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
            closeFile();
        }
        buffers.close(buffersEscaped, () -> { });
    }

    /** Closes Chronicle's descriptor of the file now; Chronicle closes it again, harmlessly, on release. */
    private void closeFile()
    {
        final MappedFile file = bytes.mappedFile();
        if (file instanceof SingleMappedFile)
        {
            try
            {
                ((SingleMappedFile)file).raf().close();
            }
            catch (final IOException ignored)
            {
                // Closing a file opened for reading and writing does not fail on Linux; the release closes it.
            }
        }
    }
}
