package org.pshmem.mpj;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Set;

import net.openhft.posix.PosixAPI;
import org.pshmem.api.PshmemException;
import org.pshmem.spi.ArenaMemory;
import org.pshmem.spi.NodeSegment;
import org.pshmem.spi.Windows;

/**
 * Node memory as a file in the segment directory (default {@code /dev/shm}), mapped by every rank of the node.
 * The creator makes the file exclusively, mode 0600, under an unpredictable name that includes the node, and
 * removes the name once every rank has mapped it, so the memory goes away with the last mapping, even after
 * kill -9.
 *
 * <p>Layout:
 * <pre>
 *   0                         data, byteSize bytes, seen as windows of 1 GiB ({@link Windows})
 *   controlOffset(byteSize)   control part, controlBytes, at the next 4 KiB boundary
 * </pre>
 *
 * <p>{@link #close()} lets go of the file at once, so the last rank of the node to close gives the memory back:
 * on Java 22 and later the mapping belongs to a shared arena ({@link ArenaMemory}), unmapped by close, after
 * which buffers over it throw; on Java 17 to 21 Chronicle Bytes maps the file ({@link ChronicleMapping}), and
 * close swaps the file's pages for zero pages, which buffers over it then read.
 */
final class ShmSegment implements NodeSegment
{
    static final String PREFIX = "pshmem-";
    private static final long PAGE = 4096;
    private static final Set<PosixFilePermission> OWNER_ONLY =
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Names this process created or mapped that may still be in the directory, with a count per name (under
     *  the multicore device several ranks of one JVM map the same file). */
    private static final java.util.Map<Path, Integer> KNOWN_NAMES = new java.util.concurrent.ConcurrentHashMap<>();
    /** Guards creating a name against removing them all as the process ends: one or the other comes first. */
    private static final Object NAMES_LOCK = new Object();
    private static boolean namesRemoved;
    private static final int O_RDWR = 2;
    private static final java.util.regex.Pattern NAME =
        java.util.regex.Pattern.compile("^" + PREFIX + ".*-(\\d+)-[0-9a-f]{16}$");

    private final Path path;
    private final long byteSize;
    private final ArenaMemory arena;
    private final ChronicleMapping mapping;
    private ByteBuffer[] windows;
    private ByteBuffer control;
    private boolean named;

    private ShmSegment(final Path path, final long byteSize, final int controlBytes, final long total,
        final boolean named)
    {
        this.path = path;
        this.byteSize = byteSize;
        this.named = named;
        if (ArenaMemory.available())
        {
            this.arena = mapArena(path, total);
            this.mapping = null;
        }
        else
        {
            this.arena = null;
            this.mapping = ChronicleMapping.map(path, total);
        }
        windows = new ByteBuffer[Windows.count(byteSize)];
        for (int w = 0; w < windows.length; w++)
        {
            windows[w] = buffer((long)w << Windows.SHIFT, Windows.length(byteSize, w));
        }
        control = buffer(controlOffset(byteSize), controlBytes);
    }

    private static ArenaMemory mapArena(final Path path, final long total)
    {
        try
        {
            return ArenaMemory.map(path, total);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new PshmemException("cannot map node memory file " + path + " (" + total + " bytes): " + ex, ex);
        }
    }

    private ByteBuffer buffer(final long offset, final int length)
    {
        return (null != arena ? arena.buffer(offset, length) : mapping.buffer(offset, length))
            .order(ByteOrder.nativeOrder());
    }

    /**
     * @param fileName a file name in the segment directory.
     * @return the pid of the process that created it, when it is one of ours ({@code pshmem-<node>-<pid>-<hex>}).
     */
    static java.util.Optional<String> creatorPid(final String fileName)
    {
        final java.util.regex.Matcher name = NAME.matcher(fileName);
        return name.matches() ? java.util.Optional.of(name.group(1)) : java.util.Optional.empty();
    }

    static long controlOffset(final long byteSize)
    {
        return (byteSize + PAGE - 1) / PAGE * PAGE;
    }

    /**
     * Creates, maps and zero-fills (a new file is zeros) a segment file for {@code node} in {@code dir}.
     */
    static ShmSegment create(final Path dir, final String node, final long byteSize, final int controlBytes)
    {
        final String name = PREFIX + sanitise(node) + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(RANDOM.nextLong() | Long.MIN_VALUE);
        final Path path = dir.resolve(name);
        final long total = controlOffset(byteSize) + controlBytes;
        synchronized (NAMES_LOCK)
        {
            if (namesRemoved)
            {
                throw new PshmemException("cannot create node memory: this rank is ending");
            }
            try
            {
                // createFile is exclusive and does not follow a symbolic link planted at the name.
                Files.createFile(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            catch (final IOException ex)
            {
                throw new PshmemException("cannot create node memory file " + path + ": " + ex, ex);
            }
            remember(path);
        }
        try
        {
            reserve(dir, path, total);
            return new ShmSegment(path, byteSize, controlBytes, total, true);
        }
        catch (final RuntimeException ex)
        {
            deleteQuietly(path);
            forget(path);
            throw ex;
        }
    }

    /**
     * Allocates the file's blocks now (fallocate), so a segment directory too small for the array fails here
     * with a clear message, instead of killing the process with a bus error when a page is first touched.
     */
    private static void reserve(final Path dir, final Path path, final long total)
    {
        final PosixAPI posix = PosixAPI.posix();
        final int fd = posix.open(path.toString(), O_RDWR, 0600);
        if (fd < 0)
        {
            throw new PshmemException("cannot open node memory file " + path + " to reserve " + total + " bytes");
        }
        try
        {
            if (posix.fallocate(fd, 0, 0, total) != 0)
            {
                throw new PshmemException("cannot reserve " + total + " bytes of node memory in " + dir +
                    ": only " + usableSpace(dir) + " bytes are free there (set " + MpjSession.SHM_DIR_PROPERTY +
                    " to a larger directory, or make the array smaller)");
            }
        }
        finally
        {
            posix.close(fd);
        }
    }

    private static String usableSpace(final Path dir)
    {
        try
        {
            return Long.toString(Files.getFileStore(dir).getUsableSpace());
        }
        catch (final IOException ex)
        {
            return "an unknown number of";
        }
    }

    /**
     * Maps a segment file made by another rank of this node, after checking it is ours and private.
     */
    static ShmSegment attach(final byte[] handle, final long byteSize, final int controlBytes)
    {
        final Path path = Path.of(new String(handle, StandardCharsets.UTF_8));
        final long total = controlOffset(byteSize) + controlBytes;
        final PosixFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException ex)
        {
            throw new PshmemException("cannot find node memory file " + path + " made by node-rank 0: " + ex, ex);
        }
        if (!attributes.isRegularFile())
        {
            throw new PshmemException("node memory file " + path + " is not a regular file; refusing to map it");
        }
        if (!attributes.owner().getName().equals(System.getProperty("user.name")))
        {
            throw new PshmemException("node memory file " + path + " belongs to " + attributes.owner().getName() +
                ", not to " + System.getProperty("user.name") + "; refusing to map it");
        }
        if (!attributes.permissions().equals(OWNER_ONLY))
        {
            throw new PshmemException("node memory file " + path + " has mode " +
                PosixFilePermissions.toString(attributes.permissions()) + ", not rw-------; refusing to map it");
        }
        if (attributes.size() < total)
        {
            throw new PshmemException("node memory file " + path + " holds " + attributes.size() + " bytes, not " +
                total);
        }
        remember(path);
        try
        {
            return new ShmSegment(path, byteSize, controlBytes, total, false);
        }
        catch (final RuntimeException ex)
        {
            forget(path);
            throw ex;
        }
    }

    @Override
    public long byteSize()
    {
        return byteSize;
    }

    @Override
    public byte[] handle()
    {
        return path.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void allAttached()
    {
        unlink();
    }

    @Override
    public int windowShift()
    {
        return Windows.SHIFT;
    }

    @Override
    public int windowCount()
    {
        return windows.length;
    }

    @Override
    public ByteBuffer window(final int index)
    {
        return windows[index].duplicate().order(ByteOrder.nativeOrder());
    }

    @Override
    public ByteBuffer control()
    {
        return control.duplicate().order(ByteOrder.nativeOrder());
    }

    /**
     * Removes every segment name this process created or mapped and has not seen removed: for a rank that ends
     * abnormally, which may be inside the window between creating a segment and every rank mapping it.
     * Removing a name never takes memory from a rank that mapped it.
     */
    static void removeKnownNames()
    {
        synchronized (NAMES_LOCK)
        {
            namesRemoved = true;
            for (final Path known : KNOWN_NAMES.keySet())
            {
                deleteQuietly(known);
            }
            KNOWN_NAMES.clear();
        }
    }

    private static void remember(final Path name)
    {
        KNOWN_NAMES.merge(name, 1, Integer::sum);
    }

    private static void forget(final Path name)
    {
        KNOWN_NAMES.computeIfPresent(name, (known, count) -> count > 1 ? count - 1 : null);
    }

    @Override
    public void close()
    {
        letGo(true);
    }

    @Override
    public void closeNow()
    {
        letGo(false);
    }

    private void letGo(final boolean buffersEscaped)
    {
        if (null != control)
        {
            unlink();
            forget(path);
            windows = new ByteBuffer[0];
            control = null;
            if (null != arena)
            {
                arena.close();
            }
            else
            {
                mapping.close(buffersEscaped);
            }
        }
    }

    /** Removes the file name: the memory stays until the last mapping goes. */
    private void unlink()
    {
        if (named)
        {
            named = false;
            deleteQuietly(path);
        }
    }

    private static String sanitise(final String node)
    {
        final String safe = node.replaceAll("[^A-Za-z0-9._]", "_");
        return safe.length() > 40 ? safe.substring(0, 40) : safe;
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignored)
        {
            // Best effort: the name goes with the directory's next clean-up.
        }
    }
}
