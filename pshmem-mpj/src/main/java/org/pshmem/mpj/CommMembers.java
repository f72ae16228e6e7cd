package org.pshmem.mpj;

import java.io.IOException;
import java.util.Arrays;
import java.util.OptionalInt;

import mpi.Group;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import org.pshmem.api.PshmemException;
import org.pshmem.api.RankFailedException;
import org.pshmem.spi.Fingerprint;
import org.pshmem.spi.Setting;

/**
 * The members of one MPJ communicator as the job folder knows them: their world ranks (asked of MPJ once, a
 * local call) and whether a member has finished, so a rank waiting for it in a collective fails instead of
 * waiting. Owned by one {@link MpjEndpoint}; {@link #hasFinished} is asked by the thread in its collectives,
 * {@link #anyFinished} by waits in node memory, each with state of its own.
 *
 * <p>A member has finished when its {@code main} returned, it ended, or it closed this communicator (each member
 * marks its close, {@link #leave}). In the endpoint's own barrier, a member counts as finished once the job
 * folder has shown it so at every look for {@value #GRACE_MILLIS} ms (looks are {@code pshmem.failureCheckMs}
 * apart): a message it sent just before it finished has that long to arrive, even on a loaded machine.
 * Without a job folder (under {@code mpjrun.sh}) nothing is known and no member is ever finished.
 */
final class CommMembers
{
    private static final long INTERVAL_NANOS = 1_000_000L * Setting.FAILURE_CHECK_MS.longValue();
    /** How long a member must be seen finished before a rank waiting for it fails. */
    static final long GRACE_MILLIS = 500;
    private static final long GRACE_NANOS = 1_000_000L * GRACE_MILLIS;

    private final String namePrefix;
    private final String id;
    private final JobFolder folder;
    private final int[] worldRanks;
    private long lastLook;
    private int seenMember = -1;
    private long seenMemberSince;
    private long lastAnyLook;

    /**
     * @param comm       the communicator.
     * @param namePrefix {@code the world communicator}, or the start of a name the members' world ranks end.
     * @param id         the communicator's name in the job folder, the same on every member.
     */
    CommMembers(final Intracomm comm, final String namePrefix, final String id)
    {
        this.namePrefix = namePrefix;
        this.id = id;
        this.folder = JobFolder.ofThisRank().orElse(null);
        this.worldRanks = worldRanks(comm);
    }

    /** @return e.g. {@code the world communicator} or {@code the communicator of world ranks 0, 2}. */
    String name()
    {
        if (namePrefix.endsWith("world "))
        {
            return namePrefix + Fingerprint.ranks(Arrays.stream(worldRanks).boxed().toList());
        }
        return namePrefix;
    }

    /**
     * Looks at most every {@code pshmem.failureCheckMs}.
     *
     * @param member a rank of the communicator.
     * @return true when {@code member} has been seen finished at every look for {@value #GRACE_MILLIS} ms.
     */
    boolean hasFinished(final int member)
    {
        final long now = System.nanoTime();
        if (null == folder || now - lastLook < INTERVAL_NANOS)
        {
            return false;
        }
        lastLook = now;
        if (!folder.hasFinished(worldRanks[member]) && !folder.hasClosed(worldRanks[member], id))
        {
            seenMember = -1;
            return false;
        }
        if (seenMember != member)
        {
            seenMember = member;
            seenMemberSince = now;
            return false;
        }
        return now - seenMemberSince >= GRACE_NANOS;
    }

    /**
     * @return the id of the communicator a split makes at {@code step} for {@code color}: the same on every member.
     */
    String childId(final long step, final int color)
    {
        return id + "." + step + "." + color;
    }

    /** Leaves the mark that rank {@code worldRank} closed this communicator, when there is a job folder. */
    void leave(final int worldRank)
    {
        if (null != folder)
        {
            try
            {
                folder.markClosed(worldRank, id);
            }
            catch (final java.io.IOException ex)
            {
                // Without the mark, a member misusing the communicator waits for the job's end instead.
                System.err.println("pshmem: rank " + worldRank + " could not mark communicator " + id + " closed in " +
                    folder.path() + ": " + ex);
            }
        }
    }

    /**
     * For waits outside the endpoint (node memory), which wait for every member: looks at most every
     * {@code pshmem.failureCheckMs}. No grace is needed here: such a wait ends when the last member arrives, before
     * that member can return, and the caller looks at its condition again before throwing.
     *
     * @return the failure of rank {@code waiter}, waiting in {@code op}, when a member has finished; else null.
     */
    RankFailedException anyFinished(final String op, final int waiter)
    {
        final long now = System.nanoTime();
        if (null == folder || now - lastAnyLook < INTERVAL_NANOS)
        {
            return null;
        }
        lastAnyLook = now;
        final OptionalInt finished;
        try
        {
            finished = folder.firstFinishedOrClosed(worldRanks, id, waiter);
        }
        catch (final IOException ex)
        {
            return null; // the folder gone with the job: nothing known
        }
        if (finished.isEmpty())
        {
            return null;
        }
        // A member stopped by another rank's failure says whose, as the endpoint's own waits do.
        final int world = finished.getAsInt();
        final String stopped = folder.stopReason(world).map(reason -> " (it " + reason + ")").orElse("");
        return new RankFailedException(world, op + " on rank " + waiter + ": rank " + world +
            " finished without taking part in " + op + stopped, null);
    }

    /**
     * @return the failure of rank {@code waiter}, waiting in {@code print}, for {@code member} that finished
     * without taking part; naming why when {@code member} was stopped because of another rank.
     */
    RankFailedException finishedWithout(final int member, final int waiter, final Fingerprint print)
    {
        final int world = worldRanks[member];
        final String stopped = folder.stopReason(world).map(reason -> " (it " + reason + ")").orElse("");
        return new RankFailedException(world, print.call() + " on rank " + waiter + ": rank " + world +
            " finished without taking part in " + print + stopped, null);
    }

    private static int[] worldRanks(final Intracomm comm)
    {
        try
        {
            final int[] ranks = new int[comm.Size()];
            Arrays.setAll(ranks, i -> i);
            return Group.Translate_ranks(comm.Group(), ranks, MPI.COMM_WORLD.Group());
        }
        catch (final MPIException ex)
        {
            throw new PshmemException("MPJ Express could not name the members of a communicator: " + ex, ex);
        }
    }
}
