package org.pshmem.local;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import org.pshmem.api.RankFailedException;
import org.pshmem.spi.Blocks;
import org.pshmem.spi.FailureSummary;
import org.pshmem.spi.HangReport;
import org.pshmem.spi.RankActivity;

/**
 * What the ranks of one in-process job share: one lock and condition that every wait parks on, the record
 * of ranks that failed or finished, and the node memory handed from creator to attachers. A failure wakes
 * every waiter, so no rank waits for one that will never come.
 */
final class LocalJobState
{
    private static final ThreadLocal<Rank> CURRENT = new ThreadLocal<>();

    final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final boolean[] finished;
    /** By world rank: how it ended, once it has (null while it runs). */
    private final HangReport.State[] ends;
    private final int nodes;
    private final Map<Long, LocalMemory> segments = new HashMap<>();
    private final LocalGroup world;
    private final java.util.concurrent.atomic.AtomicLongArray messages;
    /** By world rank: bytes of the point-to-point messages it sent, for model tests of message volume. */
    private final java.util.concurrent.atomic.AtomicLongArray sentBytes;
    /** By world rank: a Lamport clock over point-to-point messages (one tick a send, the sender's tick on a
     *  receive), so the largest is the number of sequential message steps since {@link #resetClocks()}. */
    private final java.util.concurrent.atomic.AtomicLongArray clocks;
    /** By world rank: receives posted with {@code receiveLater} and not awaited yet, and the most of them at once
     *  since {@link #resetClocks()}, for model tests of receives posted ahead. */
    private final java.util.concurrent.atomic.AtomicLongArray postedReceives;
    private final java.util.concurrent.atomic.AtomicLongArray mostPostedReceives;
    /** The collective each world rank is in, for the launcher's report of a job that stopped moving. */
    private final RankActivity[] activities;
    private RankFailedException failure;
    private long nextSegmentId = 1;

    /** A rank of a job, bound to the thread that runs it. */
    static final class Rank
    {
        final LocalJobState job;
        final int rank;
        /** Whether this rank has a session open: one at a time. */
        final java.util.concurrent.atomic.AtomicBoolean sessionOpen = new java.util.concurrent.atomic.AtomicBoolean();

        Rank(final LocalJobState job, final int rank)
        {
            this.job = job;
            this.rank = rank;
        }
    }

    LocalJobState(final int size, final int nodes)
    {
        this.nodes = nodes;
        finished = new boolean[size];
        ends = new HangReport.State[size];
        messages = new java.util.concurrent.atomic.AtomicLongArray(size);
        sentBytes = new java.util.concurrent.atomic.AtomicLongArray(size);
        clocks = new java.util.concurrent.atomic.AtomicLongArray(size);
        postedReceives = new java.util.concurrent.atomic.AtomicLongArray(size);
        mostPostedReceives = new java.util.concurrent.atomic.AtomicLongArray(size);
        activities = new RankActivity[size];
        final int[] members = new int[size];
        for (int i = 0; i < size; i++)
        {
            members[i] = i;
            activities[i] = new RankActivity();
        }
        world = new LocalGroup(this, members, true);
    }

    static Rank current()
    {
        return CURRENT.get();
    }

    static void bind(final Rank rank)
    {
        if (null == rank)
        {
            CURRENT.remove();
        }
        else
        {
            CURRENT.set(rank);
        }
    }

    int size()
    {
        return finished.length;
    }

    /**
     * @return the simulated node of a world rank: ranks are dealt to nodes in blocks, larger blocks first.
     */
    int nodeOf(final int worldRank)
    {
        return Blocks.of(worldRank, finished.length, nodes);
    }

    /** @return the collective world rank {@code worldRank} is in; its endpoints set it, anyone may read it. */
    RankActivity activity(final int worldRank)
    {
        return activities[worldRank];
    }

    LocalGroup world()
    {
        return world;
    }

    /** Counts a collective call or a message sent by a world rank, for tests of message-free paths. */
    void countMessage(final int worldRank)
    {
        messages.incrementAndGet(worldRank);
    }

    long messages(final int worldRank)
    {
        return messages.get(worldRank);
    }

    /**
     * Counts a point-to-point message of {@code bytes} sent by a world rank.
     *
     * @return the message's step: the sender's clock, ticked.
     */
    long countSend(final int worldRank, final long bytes)
    {
        sentBytes.addAndGet(worldRank, bytes);
        return clocks.incrementAndGet(worldRank);
    }

    /** Moves a world rank's clock up to the step of a message it received. */
    void countReceive(final int worldRank, final long step)
    {
        clocks.accumulateAndGet(worldRank, step, Math::max);
    }

    /** A world rank posted a receive ({@code delta} 1) or awaited one (-1). */
    void countPostedReceive(final int worldRank, final long delta)
    {
        final long now = postedReceives.addAndGet(worldRank, delta);
        mostPostedReceives.accumulateAndGet(worldRank, now, Math::max);
    }

    /** @return the most receives a world rank had posted and not awaited at once, since {@link #resetClocks()}. */
    long mostPostedReceives(final int worldRank)
    {
        return mostPostedReceives.get(worldRank);
    }

    long sentBytes(final int worldRank)
    {
        return sentBytes.get(worldRank);
    }

    long clock(final int worldRank)
    {
        return clocks.get(worldRank);
    }

    /** Sets every rank's clock to zero and its most posted receives to those posted now; call it while no message
     *  is in flight. */
    void resetClocks()
    {
        for (int r = 0; r < clocks.length(); r++)
        {
            clocks.set(r, 0);
            mostPostedReceives.set(r, postedReceives.get(r));
        }
    }

    void rankFailed(final int rank, final Throwable cause)
    {
        lock.lock();
        try
        {
            if (null == failure)
            {
                failure = new RankFailedException(rank, "rank " + rank + " failed: " + cause, cause);
            }
            finished[rank] = true;
            ends[rank] = null == FailureSummary.causedByAnother(cause, rank) ? HangReport.State.FAILED : HangReport.State.STOPPED;
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    void rankFinished(final int rank)
    {
        lock.lock();
        try
        {
            finished[rank] = true;
            ends[rank] = HangReport.State.RETURNED;
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    /** @return where world rank {@code rank} is now: in a collective, running, or how it ended. */
    HangReport.Place place(final int rank)
    {
        lock.lock();
        try
        {
            if (null != ends[rank])
            {
                return HangReport.Place.elsewhere(rank, ends[rank]);
            }
        }
        finally
        {
            lock.unlock();
        }
        return HangReport.Place.of(rank, activities[rank].waiting());
    }

    RankFailedException failure()
    {
        lock.lock();
        try
        {
            return failure;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** With the lock held: the job's first failure, as reported to a waiting rank. */
    RankFailedException failureSeenBy(final String op, final int waiter)
    {
        return new RankFailedException(failure.failedRank(), op + " on rank " + waiter + ": " + failure.getMessage(),
            failure.getCause());
    }

    /** With the lock held: true when world rank {@code rank} has returned or thrown. */
    boolean hasFinished(final int rank)
    {
        return finished[rank];
    }

    /** With the lock held: wakes every waiter. */
    void signal()
    {
        changed.signalAll();
    }

    /**
     * With the lock held: parks until {@code done}, or throws when a rank has failed or when
     * {@code missingFinished} names a rank (not -1) that finished without doing its part.
     *
     * @param inCall the collective and its step, such as {@code barrier() (step 3)}, for the message; or null.
     */
    void await(final String op, final int waiter, final BooleanSupplier done, final IntSupplier missingFinished,
        final String inCall)
    {
        while (!done.getAsBoolean())
        {
            checkWaiting(op, waiter, missingFinished, inCall);
            changed.awaitUninterruptibly();
        }
    }

    /** With the lock held: throws when a rank has failed or when {@code missingFinished} names a rank. */
    private void checkWaiting(final String op, final int waiter, final IntSupplier missingFinished,
        final String inCall)
    {
        if (null != failure)
        {
            throw failureSeenBy(op, waiter);
        }
        final int gone = missingFinished.getAsInt();
        if (gone >= 0)
        {
            throw new RankFailedException(gone, op + " on rank " + waiter + ": rank " + gone +
                " finished without taking part" + (null == inCall ? "" : " in " + inCall), null);
        }
    }

    /**
     * {@link #await}, which also ends when {@code giveWay} says so: asked about every millisecond, as what it
     * reads (node memory) does not signal.
     *
     * @return true when {@code done}; false when {@code giveWay} said so first.
     */
    boolean awaitUnless(final String op, final int waiter, final BooleanSupplier done,
        final IntSupplier missingFinished, final String inCall, final BooleanSupplier giveWay)
    {
        boolean interrupted = false;
        try
        {
            while (!done.getAsBoolean())
            {
                checkWaiting(op, waiter, missingFinished, inCall);
                if (giveWay.getAsBoolean())
                {
                    return false;
                }
                try
                {
                    changed.awaitNanos(1_000_000);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true; // kept for after the collective, as await's wait does
                }
            }
            return true;
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    long publishSegment(final LocalMemory memory)
    {
        lock.lock();
        try
        {
            final long id = nextSegmentId++;
            segments.put(id, memory);
            return id;
        }
        finally
        {
            lock.unlock();
        }
    }

    LocalMemory lookupSegment(final long id)
    {
        lock.lock();
        try
        {
            return segments.get(id);
        }
        finally
        {
            lock.unlock();
        }
    }

    void unpublishSegment(final long id)
    {
        lock.lock();
        try
        {
            segments.remove(id);
        }
        finally
        {
            lock.unlock();
        }
    }
}
