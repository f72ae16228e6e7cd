package org.pshmem.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import net.openhft.posix.PosixAPI;

/**
 * How the other ranks of a node reach a segment file that node-rank 0 created: by the creator's open descriptor, so
 * the file never needs a name ({@link #UNNAMED}), or, where that cannot work here, by its name as before
 * ({@link #NAMED}). Decided once per process: at session start by every rank of the job together
 * ({@link #find}, {@link #agree}), so that ranks of one node that cannot open one another's {@code /proc/<pid>/fd}
 * (hidepid, another user or pid namespace) all fall back; else by {@link #here()} on first use.
 */
public enum SegmentNaming
{
    /**
     * The creator makes the file without a name (O_TMPFILE; where the file system lacks it, it removes the name
     * right after creating the file) and keeps its descriptor open until every rank of the node has mapped the
     * file, through {@code /proc/<creator pid>/fd/<fd>}: a kill at any moment leaves nothing in the segment
     * directory.
     */
    UNNAMED,
    /**
     * The fallback: the name stays until every rank of the node has mapped the file; a kill of every process of the
     * job inside that window leaves the file, for {@code ./pshmem shm clean}.
     */
    NAMED;

    /** A rank's finding, as sent to the others: all is well. */
    public static final int FINE = -1;
    /** A rank's finding: its own probe fell back. A finding of 0 or more is a node peer it cannot reach. */
    public static final int OWN = -2;
    private static final int O_RDONLY = 0;
    private static final Object LOCK = new Object();
    private static Decision decided;

    /**
     * The naming this process uses and why.
     *
     * @param naming the naming.
     * @param reason why {@link #NAMED} was chosen, or empty.
     */
    public record Decision(SegmentNaming naming, String reason)
    {
    }

    /**
     * Returns the naming this process's segments use, deciding it on the first call; the first call that falls back
     * to {@link #NAMED} prints why, once.
     *
     * @return the naming this process's segments use.
     */
    public static SegmentNaming here()
    {
        synchronized (LOCK)
        {
            if (null == decided)
            {
                decided = probe();
                if (decided.naming() == NAMED)
                {
                    explainFallback(decided);
                }
            }
            return decided.naming();
        }
    }

    /**
     * One all-gather over the job's world communicator, as a transport does it with its own MPI: every rank gives
     * {@code mine}, and {@code all} receives every rank's, in world rank order.
     *
     * @param <T> the array type, {@code long[]} or {@code int[]}.
     * @param <E> what the transport's MPI throws.
     */
    @FunctionalInterface
    public interface AllGather<T, E extends Exception>
    {
        /**
         * Gathers every rank's elements.
         *
         * @param mine this rank's elements.
         * @param all  room for every rank's, {@code mine.length} each.
         * @throws E when the transport's MPI fails.
         */
        void allGather(T mine, T all) throws E;
    }

    /**
     * Collective over the world: finds, with every rank of the job, whether segments can be unnamed on every node
     * ({@link #find}, {@link #agree}), and {@link #settle}s that; world rank 0 says why when they cannot.
     *
     * @param <E>       what the transport's MPI throws.
     * @param size      the number of ranks in the world.
     * @param worldRank this rank.
     * @param node      this rank's node name.
     * @param longs     the world's all-gather of longs.
     * @param ints      the world's all-gather of ints.
     * @throws E when the transport's MPI fails.
     */
    public static <E extends Exception> void agreeAcrossJob(
        final int size,
        final int worldRank,
        final String node,
        final AllGather<long[], E> longs,
        final AllGather<int[], E> ints) throws E
    {
        final long[] all = new long[2 * size];
        longs.allGather(new long[] {ProcessHandle.current().pid(), nodeKey(node)}, all);
        final long[] pids = new long[size];
        final long[] nodes = new long[size];
        for (int rank = 0; rank < size; rank++)
        {
            pids[rank] = all[2 * rank];
            nodes[rank] = all[2 * rank + 1];
        }
        final Decision local = probe();
        final int[] findings = new int[size];
        ints.allGather(new int[] {find(local, pids, nodes, worldRank)}, findings);
        settle(agree(findings, pids, worldRank, local), worldRank == 0);
    }

    /** A key equal for the ranks of one node, and short enough to send as a long. */
    private static long nodeKey(final String node)
    {
        return UUID.nameUUIDFromBytes(node.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
    }

    /**
     * Settles this process's naming; prints why when it is the fallback and {@code print} is true.
     *
     * @param decision the naming and why.
     * @param print    whether this rank is the one that says why (world rank 0).
     */
    public static void settle(final Decision decision, final boolean print)
    {
        synchronized (LOCK)
        {
            decided = decision;
            if (print && decision.naming() == NAMED)
            {
                explainFallback(decision);
            }
        }
    }

    private static void explainFallback(final Decision decision)
    {
        System.err.println("pshmem: segment files keep their name until every rank of the node has mapped them " +
            "(a job killed meanwhile leaves one; ./pshmem shm clean removes it), because " + decision.reason());
    }

    /**
     * What this rank finds about reaching the descriptors of the other processes of its node.
     *
     * @param local this process's own {@link #probe()}.
     * @param pids  every world rank's pid.
     * @param nodes every world rank's node, as a key equal for ranks of one node.
     * @param me    this world rank.
     * @return {@link #FINE}, {@link #OWN}, or the first world rank of this node whose {@code /proc/<pid>/fd} this
     * rank cannot open.
     */
    public static int find(final Decision local, final long[] pids, final long[] nodes, final int me)
    {
        if (local.naming() == NAMED)
        {
            return OWN;
        }
        for (int rank = 0; rank < pids.length; rank++)
        {
            if (nodes[rank] == nodes[me] && pids[rank] != pids[me] && !canOpenDescriptorsOf(pids[rank]))
            {
                return rank;
            }
        }
        return FINE;
    }

    /**
     * Combines every rank's {@link #find} result: unnamed only when every rank found all well.
     *
     * @param findings every world rank's finding.
     * @param pids     every world rank's pid.
     * @param me       this world rank.
     * @param local    this process's own {@link #probe()}, whose reason is used for this rank.
     * @return the naming every rank uses, and why when it is the fallback.
     */
    public static Decision agree(final int[] findings, final long[] pids, final int me, final Decision local)
    {
        for (int rank = 0; rank < findings.length; rank++)
        {
            if (findings[rank] == OWN)
            {
                return new Decision(NAMED, rank == me ? local.reason() :
                    "rank " + rank + " cannot find its own descriptors under /proc/" + pids[rank] + "/fd");
            }
            if (findings[rank] >= 0)
            {
                return new Decision(NAMED, "rank " + rank + " cannot open /proc/" + pids[findings[rank]] +
                    "/fd of rank " + findings[rank] + " on its node (hidepid, or another user or pid namespace?)");
            }
        }
        return new Decision(UNNAMED, "");
    }

    private static boolean canOpenDescriptorsOf(final long pid)
    {
        try (java.nio.file.DirectoryStream<Path> fds =
            Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd")))
        {
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
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
    public static Decision probe()
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
