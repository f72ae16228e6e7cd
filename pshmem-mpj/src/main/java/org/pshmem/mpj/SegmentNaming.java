package org.pshmem.mpj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import net.openhft.posix.PosixAPI;

/**
 * How the other ranks of a node reach a segment file that node-rank 0 created: by the creator's open descriptor, so
 * the file never needs a name ({@link #UNNAMED}), or, where that cannot work here, by its name as before
 * ({@link #NAMED}). Decided once per process by {@link #here()}.
 */
enum SegmentNaming
{
    /**
     * The creator removes the name right after creating the file and keeps its descriptor open until every rank of
     * the node has mapped the file, through {@code /proc/<creator pid>/fd/<fd>}: a kill at any moment after that
     * leaves nothing in the segment directory.
     */
    UNNAMED,
    /**
     * The fallback: the name stays until every rank of the node has mapped the file; a kill of every process of the
     * job inside that window leaves the file, for {@code ./pshmem shm clean}.
     */
    NAMED;

    private static final int O_RDONLY = 0;
    private static final Object LOCK = new Object();
    private static Decision decided;

    /**
     * The naming this process uses and why.
     *
     * @param naming the naming.
     * @param reason why {@link #NAMED} was chosen, or empty.
     */
    record Decision(SegmentNaming naming, String reason)
    {
    }

    /**
     * Returns the naming this process's segments use, deciding it on the first call; the first call that falls back
     * to {@link #NAMED} prints why, once.
     *
     * @return the naming this process's segments use.
     */
    static SegmentNaming here()
    {
        synchronized (LOCK)
        {
            if (null == decided)
            {
                decided = probe();
                if (decided.naming() == NAMED)
                {
                    System.err.println("pshmem: segment files keep their name until every rank of the node has " +
                        "mapped them (a job killed meanwhile leaves one; ./pshmem shm clean removes it), because " +
                        decided.reason());
                }
            }
            return decided.naming();
        }
    }

    /**
     * Checks, without printing or creating anything, that a process of this user can open another's descriptor
     * through the pid it knows itself by: it opens {@code /dev/null} and looks for it at
     * {@code /proc/<this pid>/fd/<fd>}, which fails when {@code /proc} is missing or belongs to another pid
     * namespace.
     *
     * @return the naming to use here, and why when it is the fallback.
     */
    static Decision probe()
    {
        final PosixAPI posix = PosixAPI.posix();
        final int fd = posix.open("/dev/null", O_RDONLY, 0);
        if (fd < 0)
        {
            return new Decision(NAMED, "this process cannot open /dev/null to try /proc: " + posix.lastErrorStr());
        }
        final Path proc = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd", Integer.toString(fd));
        try
        {
            final Map<String, Object> seen = Files.readAttributes(proc, "unix:dev,ino");
            final Map<String, Object> real = Files.readAttributes(Path.of("/dev/null"), "unix:dev,ino");
            return seen.equals(real) ? new Decision(UNNAMED, "") :
                new Decision(NAMED, proc + " is not this process's descriptor (is /proc of another pid namespace?)");
        }
        catch (final IOException | RuntimeException ex)
        {
            return new Decision(NAMED, "this process cannot open " + proc + ": " + ex);
        }
        finally
        {
            posix.close(fd);
        }
    }
}
