package org.pshmem.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.pshmem.spi.Setting;
import org.pshmem.spi.Windows;

/**
 * Node memory as a file in the segment directory (default {@code /dev/shm}), mapped by every rank of the node.
 * The creator makes the file exclusively, mode 0600, under an unpredictable name that includes the node. How the
 * other ranks reach it is {@link SegmentNaming}: normally the creator removes the name right after creating the
 * file and keeps its descriptor open until every rank has mapped the file through
 * {@code /proc/<creator pid>/fd/<fd>} ({@link SegmentHandle}); in the fallback the name stays until then. Either
 * way the memory goes away with the last mapping, even after kill -9. Every rank, the creator too, checks the file
 * on the descriptor it opened (regular file, this user's, mode 0600, large enough, the expected inode), maps it and
 * closes that descriptor: a mapping holds no descriptor, so live arrays are bounded by memory and the kernel's map
 * count, not by the limit of open files.
 *
 * <p>Layout:
 * <pre>
 *   0                         data, byteSize bytes, seen as windows of 1 GiB ({@link Windows})
 *   controlOffset(byteSize)   control part, controlBytes, at the next 4 KiB boundary
 * </pre>
 *
 * <p>{@link #close()} lets go of the file at once, so the last rank of the node to close gives the memory back:
 * on Java 22 and later the mapping belongs to a shared arena ({@link ArenaMemory}), unmapped by close, after
 * which buffers over it throw; on Java 17 to 21 it is an {@code mmap} of the descriptor ({@link FdMapping}), and
 * close unmaps it, or, while buffers over it may still be read, swaps the file's pages for zero pages, which those
 * buffers then read.
 */
public final class ShmSegment implements NodeSegment
{
    /** How the name of every segment file starts. */
    public static final String PREFIX = "pshmem-";
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
    private static final java.util.regex.Pattern UNNAMED_MAPPING =
        java.util.regex.Pattern.compile(".*/#\\d+ \\(deleted\\)$");
    private static final jnr.constants.platform.OpenFlags O_TMPFILE = jnr.constants.platform.OpenFlags.O_TMPFILE;
    private static final int NO_FD = -1;
    private static final java.util.regex.Pattern NAME =
        java.util.regex.Pattern.compile("^" + PREFIX + ".*-(\\d+)-[0-9a-f]{16}$");

    private final Path path;
    private final SegmentHandle handle;
    private final long byteSize;
    private final ArenaMemory arena;
    private final FdMapping mapping;
    private ByteBuffer[] windows;
    private ByteBuffer control;
    private boolean named;
    /** The creator's descriptor of an unnamed file, open until every rank has mapped it; else {@link #NO_FD}. */
    private int heldFd;
    /** Whether this segment counts in {@link #KNOWN_NAMES}: a named file's creator or attacher, until close. */
    private boolean remembered;

    private ShmSegment(final SegmentHandle handle, final int fd, final long byteSize, final int controlBytes,
        final long total, final boolean named, final int heldFd)
    {
        this.path = handle.file();
        this.handle = handle;
        this.byteSize = byteSize;
        this.named = named;
        if (ArenaMemory.available())
        {
            this.arena = mapArena(descriptorPath(fd, path), total);
            this.mapping = null;
        }
        else
        {
            this.arena = null;
            this.mapping = FdMapping.map(fd, total, path.toString());
        }
        this.heldFd = heldFd;
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
    public static java.util.Optional<String> creatorPid(final String fileName)
    {
        final java.util.regex.Matcher name = NAME.matcher(fileName);
        return name.matches() ? java.util.Optional.of(name.group(1)) : java.util.Optional.empty();
    }

    static long controlOffset(final long byteSize)
    {
        return (byteSize + PAGE - 1) / PAGE * PAGE;
    }

    /**
     * Creates, maps and zero-fills (a new file is zeros) a segment file for {@code node} in {@code dir}, named as
     * {@link SegmentNaming#here()} says.
     *
     * @param dir          the segment directory.
     * @param node         the node's name, part of the file's name.
     * @param byteSize     size of the data part in bytes.
     * @param controlBytes size of the control part in bytes.
     * @return the segment, owned by the caller.
     */
    public static ShmSegment create(final Path dir, final String node, final long byteSize, final int controlBytes)
    {
        return create(dir, node, byteSize, controlBytes, SegmentNaming.here());
    }

    /**
     * Creates, maps and zero-fills a segment file for {@code node} in {@code dir}, named as {@code naming} says.
     *
     * @param dir          the segment directory.
     * @param node         the node's name, part of the file's name.
     * @param byteSize     size of the data part in bytes.
     * @param controlBytes size of the control part in bytes.
     * @param naming       whether the file's name is removed as it is made.
     * @return the segment, owned by the caller.
     */
    public static ShmSegment create(final Path dir, final String node, final long byteSize, final int controlBytes,
        final SegmentNaming naming)
    {
        final String name = PREFIX + sanitise(node) + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(RANDOM.nextLong() | Long.MIN_VALUE);
        final Path path = dir.resolve(name);
        final long total = controlOffset(byteSize) + controlBytes;
        final PosixAPI posix = PosixAPI.posix();
        final boolean unnamed = naming == SegmentNaming.UNNAMED;
        int fd = unnamed ? openWithoutName(posix, dir) : openNamed(posix, path);
        if (unnamed && fd < 0)
        {
            // A file system without O_TMPFILE: the file has a name for a moment.
            fd = openNamed(posix, path);
            deleteQuietly(path);
            forget(path);
        }
        if (fd < 0)
        {
            throw new PshmemException("cannot open node memory file " + path + ": " + posix.lastErrorStr());
        }
        boolean made = false;
        try
        {
            final long[] key = check(fd, path, 0);
            reserve(fd, dir, total);
            final SegmentHandle handle = unnamed ?
                new SegmentHandle(naming, path, ProcessHandle.current().pid(), fd, key[0], key[1]) :
                new SegmentHandle(naming, path, 0, NO_FD, key[0], key[1]);
            final ShmSegment segment =
                new ShmSegment(handle, fd, byteSize, controlBytes, total, !unnamed, unnamed ? fd : NO_FD);
            segment.remembered = !unnamed;
            made = true;
            return segment;
        }
        finally
        {
            if (!made || !unnamed)
            {
                posix.close(fd); // an unnamed segment's creator holds it until every rank has mapped the file
            }
            if (!made && !unnamed)
            {
                deleteQuietly(path);
                forget(path);
            }
        }
    }

    /**
     * Returns whether a mapping's path, as {@code /proc/<pid>/maps} shows it, is a segment's: a named file
     * ({@link #PREFIX}, named or removed since) or a file made without a name ({@code /dev/shm/#1234 (deleted)}).
     *
     * @param mappedPath the last field of a {@code maps} line.
     * @return true for a segment's mapping.
     */
    public static boolean isSegmentMapping(final String mappedPath)
    {
        return mappedPath.contains("/" + PREFIX) || UNNAMED_MAPPING.matcher(mappedPath).matches();
    }

    /**
     * Opens a new file in {@code dir} that never has a name (O_TMPFILE): killing every process at any moment
     * leaves nothing in the directory.
     *
     * @return the descriptor, or -1 where the platform or the file system has no O_TMPFILE.
     */
    private static int openWithoutName(final PosixAPI posix, final Path dir)
    {
        synchronized (NAMES_LOCK)
        {
            if (namesRemoved)
            {
                throw new PshmemException("cannot create node memory: this rank is ending");
            }
        }
        return O_TMPFILE.defined() ? posix.open(dir.toString(), O_TMPFILE.intValue() | O_RDWR, 0600) : -1;
    }

    /** Creates the file under its name, remembered so that it is removed if this rank ends early. */
    private static int openNamed(final PosixAPI posix, final Path path)
    {
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
        final int fd = posix.open(path.toString(), O_RDWR, 0600);
        if (fd < 0)
        {
            deleteQuietly(path);
            forget(path);
        }
        return fd;
    }

    /**
     * Allocates the file's blocks now (fallocate), so a segment directory too small for the array fails here
     * with a clear message, instead of killing the process with a bus error when a page is first touched.
     */
    private static void reserve(final int fd, final Path dir, final long total)
    {
        if (PosixAPI.posix().fallocate(fd, 0, 0, total) != 0)
        {
            throw new PshmemException("cannot reserve " + total + " bytes of node memory in " + dir +
                ": only " + usableSpace(dir) + " bytes are free there (set " +
                Setting.SHM_DIR.property().orElseThrow() + " to a larger directory, or make the array smaller)");
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
     * Maps a segment file made by another rank of this node, after checking, on the descriptor opened, that it is
     * ours, private and the file that rank made; the descriptor is closed before this returns.
     *
     * @param handleBytes  the creator's {@link #handle()}.
     * @param byteSize     size of the data part the creator was asked for.
     * @param controlBytes size of the control part the creator was asked for.
     * @return the segment, owned by the caller.
     */
    public static ShmSegment attach(final byte[] handleBytes, final long byteSize, final int controlBytes)
    {
        final SegmentHandle handle = SegmentHandle.parse(handleBytes);
        final Path path = handle.file();
        final long total = controlOffset(byteSize) + controlBytes;
        final boolean unnamed = handle.naming() == SegmentNaming.UNNAMED;
        long[] nameKey = null;
        if (!unnamed)
        {
            final PosixFileAttributes attributes;
            try
            {
                attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                nameKey = fileKey(path, LinkOption.NOFOLLOW_LINKS);
            }
            catch (final IOException ex)
            {
                throw new PshmemException("cannot find node memory file " + path + " made by node-rank 0: " + ex, ex);
            }
            if (!attributes.isRegularFile())
            {
                throw new PshmemException("node memory file " + path + " is not a regular file; refusing to map it");
            }
        }
        final long[] expected = unnamed ? new long[] {handle.device(), handle.inode()} : nameKey;
        if (unnamed)
        {
            // Looked at before opening, so a pid or descriptor number now used for something else is never opened.
            final long[] seen;
            try
            {
                seen = fileKey(handle.openPath());
            }
            catch (final IOException ex)
            {
                throw new PshmemException(cannotOpen(handle, ex.toString()), ex);
            }
            refuseAnother(handle, seen, expected);
        }
        final PosixAPI posix = PosixAPI.posix();
        final int fd = posix.open(handle.openPath().toString(), O_RDWR, 0);
        if (fd < 0)
        {
            throw new PshmemException(unnamed ? cannotOpen(handle, posix.lastErrorStr()) :
                "cannot open node memory file " + path + " made by node-rank 0: " + posix.lastErrorStr());
        }
        try
        {
            // Checked again on the descriptor: the name, pid or descriptor number may have changed meanwhile.
            refuseAnother(handle, check(fd, path, total), expected);
            if (!unnamed)
            {
                remember(path);
            }
            try
            {
                final ShmSegment segment = new ShmSegment(handle, fd, byteSize, controlBytes, total, false, NO_FD);
                segment.remembered = !unnamed;
                return segment;
            }
            catch (final RuntimeException ex)
            {
                if (!unnamed)
                {
                    forget(path);
                }
                throw ex;
            }
        }
        finally
        {
            posix.close(fd);
        }
    }

    private static String cannotOpen(final SegmentHandle handle, final String why)
    {
        return "cannot open node memory file " + handle.file() + " through node-rank 0's descriptor " +
            handle.openPath() + ": " + why + " (this rank cannot open /proc of that process: another user, " +
            "user namespace or pid namespace?)";
    }

    /** Refuses a file whose device and inode are not those node-rank 0 saw. */
    private static void refuseAnother(final SegmentHandle handle, final long[] seen, final long[] expected)
    {
        if (!java.util.Arrays.equals(seen, expected))
        {
            throw new PshmemException("node memory file " + handle.file() + " opened through " + handle.openPath() +
                " is not the file node-rank 0 created; refusing to map it");
        }
    }

    /**
     * Checks the file open as {@code fd}: a regular file, this user's, mode 0600, at least {@code total} bytes.
     *
     * @return its device and inode numbers.
     */
    private static long[] check(final int fd, final Path path, final long total)
    {
        final Path opened = descriptorPath(fd, path);
        final PosixFileAttributes attributes;
        final long[] key;
        try
        {
            attributes = Files.readAttributes(opened, PosixFileAttributes.class);
            key = fileKey(opened);
        }
        catch (final IOException ex)
        {
            throw new PshmemException("cannot read the attributes of node memory file " + path + ": " + ex, ex);
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
        return key;
    }

    /** The descriptor as a path ({@code /proc/self/fd/<fd>}, which opens and stats the open file), or the name. */
    private static Path descriptorPath(final int fd, final Path name)
    {
        final Path self = Path.of("/proc/self/fd", Integer.toString(fd));
        return Files.exists(self) ? self : name;
    }

    private static long[] fileKey(final Path path, final LinkOption... options) throws IOException
    {
        final java.util.Map<String, Object> key = Files.readAttributes(path, "unix:dev,ino", options);
        return new long[] {((Number)key.get("dev")).longValue(), ((Number)key.get("ino")).longValue()};
    }

    @Override
    public long byteSize()
    {
        return byteSize;
    }

    @Override
    public byte[] handle()
    {
        return handle.bytes();
    }

    /**
     * @return the segment file's path; its name may be removed already.
     */
    public Path file()
    {
        return path;
    }

    @Override
    public void allAttached()
    {
        unlink();
        releaseDescriptor();
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
    public static void removeKnownNames()
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
            releaseDescriptor();
            if (remembered)
            {
                remembered = false;
                forget(path);
            }
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

    /** Closes the creator's descriptor of an unnamed file: every rank has mapped it, or none will. */
    private void releaseDescriptor()
    {
        if (heldFd != NO_FD)
        {
            PosixAPI.posix().close(heldFd);
            heldFd = NO_FD;
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
