package org.pshmem.mpi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.pshmem.api.RankFailedException;

/**
 * Which ranks of the job have left it, as far as this rank has heard: a rank leaves when it closes its session or
 * its JVM ends normally (it {@link Kind#FINISHED finished}), or when a failure leaves the thread that opened its
 * session ({@link Kind#FAILED failed}, just before it ends the job with {@code MPI_Abort}). MPI itself tells no one
 * when a rank stops taking part without dying, so its peers would wait for it for ever; so each rank that leaves
 * says so in-band, with a small message to every other rank on a control communicator of its own (a copy of the
 * world made when the session opens). A rank that closes a communicator tells its other members the same way,
 * with the communicator's id ({@code MpiEndpoint}), so that those still waiting in it fail. No message of the
 * user's communicators can match those messages, and only this class receives on the control communicator.
 *
 * <p>Waiting ranks ask, once they park, at most every {@value #CHECK_MILLIS} ms ({@code MPI_Iprobe}). A rank that
 * finished is reported only when it was heard of at least {@value #GRACE_MILLIS} ms before: MPI orders messages
 * only within one communicator, so a message the rank sent on a user's communicator just before its notice may
 * come after it. A rank that failed is reported at once: the job is ending anyway.
 *
 * <p>Every rank sends one message to each other rank when it leaves (p - 1 small eager messages): a tree would
 * send fewer, but its inner ranks may have left too. Messages nobody receives are dropped by
 * {@code MPI_Finalize}.
 *
 * <p>Thread-safe: probing and receiving a notice is one step under this object's lock, so two waiting threads
 * never race for one message.
 */
final class Departures
{
    /** How a rank left the job; the first byte of its notice. */
    enum Kind
    {
        /** Closed its session, or its JVM ended normally, while others may wait for it. */
        FINISHED,
        /** A failure left the thread that opened its session; it ends the job with {@code MPI_Abort}. */
        FAILED,
        /** Closed one communicator, named in the notice: it takes no further part there. */
        CLOSED,
        /**
         * A {@link RankFailedException} left the thread that opened its session: it stopped because another rank
         * left, which the notice's text names. Not a failure of its own: waiting ranks name it as finished, and
         * say why.
         */
        STOPPED
    }

    /**
     * What this rank heard of one rank that left (or closed a communicator), when (its {@code System.nanoTime()}),
     * and the how-manieth notice it was, so that of two ranks heard of in one look, the one that left first is
     * named.
     */
    private record Notice(Kind kind, String failure, long heardAt, int order)
    {
    }

    /** The only tag on the control communicator. */
    static final int TAG = 1;
    /** Least time between two looks for notices while waiting. */
    static final long CHECK_MILLIS = 20;
    /** How long a rank must be known finished before a rank waiting for it fails. */
    static final long GRACE_MILLIS = 500;
    /** Bytes of a failure's text in a notice, at most. */
    private static final int FAILURE_BYTES = 1000;
    private static final long CHECK_NANOS = 1_000_000L * CHECK_MILLIS;
    private static final long GRACE_NANOS = 1_000_000L * GRACE_MILLIS;
    /** The longest park of a finished rank waiting for the others before {@code MPI_Finalize}. */
    private static final long MAX_FINAL_PARK_NANOS = 10_000_000L;

    private final MpiLibrary mpi;
    private final MpiComm control;
    private final int worldRank;
    /** What this rank heard of each world rank that left; null for a rank not heard of. */
    private final Notice[] heard;
    /** The communicators other ranks closed, by {@code rank + "@" + communicator id}. */
    private final Map<String, Notice> closed = new HashMap<>();
    /** Why each world rank stopped ({@link Kind#STOPPED}); null for a rank that did not. */
    private final String[] stopped;
    private final List<MpiRequest> sent = new ArrayList<>();
    /** What this rank announced last, or null before it left. */
    private Kind announced;
    private long lastCheck;
    private int notices;

    private Departures(final MpiLibrary mpi, final MpiComm control, final int worldRank, final int size)
    {
        this.mpi = mpi;
        this.control = control;
        this.worldRank = worldRank;
        this.heard = new Notice[size];
        this.stopped = new String[size];
        this.lastCheck = System.nanoTime() - CHECK_NANOS;
    }

    /**
     * Collective over the world: makes the control communicator ({@code MPI_Comm_split} with one colour, so the
     * ranks keep their world ranks).
     */
    static Departures open(final MpiLibrary mpi, final int worldRank)
    {
        final MpiComm control = mpi.split(mpi.world(), 0, worldRank);
        return new Departures(mpi, control, worldRank, mpi.size(control));
    }

    /** For endpoints made without a session (tests): nothing is ever heard, nothing announced. */
    static Departures none(final int worldRank, final int size)
    {
        return new Departures(null, null, worldRank, size);
    }

    /**
     * Tells every other rank that this one left: once, or twice when a failure follows a finish (the session
     * closes before the failure reaches its handler), so the failure is told too. Does not wait: the sends are
     * {@code MPI_Isend}s of one byte and a failure's text, completed by the library.
     *
     * @param kind    how this rank left.
     * @param failure the failure, for {@link Kind#FAILED} (sent as {@link Kind#STOPPED} when it is a
     *                {@link RankFailedException}); else null.
     */
    synchronized void announce(final Kind kind, final Throwable failure)
    {
        // A rank that failed because another left is not at fault: it is told as stopped, so that ranks waiting
        // for it name it with the reason, rather than as a failure of its own.
        final Kind told = failure instanceof RankFailedException ? Kind.STOPPED : kind;
        if (announced == Kind.FAILED || announced == Kind.STOPPED || announced == told || null == control ||
            !mpi.initialized() || mpi.finalized())
        {
            return;
        }
        announced = told;
        final byte[] text = null == failure ? new byte[0] : String.valueOf(failure).getBytes(StandardCharsets.UTF_8);
        final byte[] notice = new byte[1 + Math.min(text.length, FAILURE_BYTES)];
        notice[0] = (byte)told.ordinal();
        System.arraycopy(text, 0, notice, 1, notice.length - 1);
        for (int rank = 0; rank < heard.length; rank++)
        {
            if (rank != worldRank)
            {
                sent.add(mpi.sendLater(control, notice, 0, notice.length, rank, TAG));
            }
        }
    }

    /**
     * Tells the other members of a communicator this rank closes that it takes no further part in it.
     *
     * @param id         the communicator's id, the same on every member.
     * @param worldRanks its members, by world rank.
     */
    synchronized void announceClosed(final String id, final int[] worldRanks)
    {
        if (null == control || !mpi.initialized() || mpi.finalized())
        {
            return;
        }
        final byte[] text = id.getBytes(StandardCharsets.UTF_8);
        final byte[] notice = new byte[1 + text.length];
        notice[0] = (byte)Kind.CLOSED.ordinal();
        System.arraycopy(text, 0, notice, 1, text.length);
        for (final int rank : worldRanks)
        {
            if (rank != worldRank)
            {
                sent.add(mpi.sendLater(control, notice, 0, notice.length, rank, TAG));
            }
        }
        sent.removeIf(MpiRequest::test);
    }

    /**
     * Waits, parked, until every rank has come here too ({@code MPI_Ibarrier} on the control communicator):
     * {@code MPI_Finalize} waits for every rank as well, but Open MPI 4.1 polls there every 100 µs (a tenth of a
     * core, measured), and a finished rank may wait long, for ranks that caught its notice and go on, or until
     * the job is aborted. Not synchronised: waiting ranks of this process may still look for notices meanwhile.
     */
    void awaitEveryone()
    {
        if (null == control || !mpi.initialized() || mpi.finalized())
        {
            return;
        }
        final MpiRequest barrier = mpi.barrierLater(control);
        long park = 1_000L;
        while (!barrier.test())
        {
            LockSupport.parkNanos(this, park);
            park = Math.min(2 * park, MAX_FINAL_PARK_NANOS);
        }
    }

    /** Lets the library complete the notices' sends before {@code MPI_Finalize}, without waiting for them. */
    synchronized void settle()
    {
        sent.removeIf(MpiRequest::test);
    }

    /**
     * The first rank that failed, heard of at once; for waits that end when any rank of the job fails.
     *
     * @param op     the waiting call, for the message.
     * @param waiter the waiting rank's world rank.
     * @return the failure to throw, or null when no failed rank is known.
     */
    synchronized RankFailedException failed(final String op, final int waiter)
    {
        listen();
        for (int rank = 0; rank < heard.length; rank++)
        {
            if (null != heard[rank] && heard[rank].kind() == Kind.FAILED)
            {
                return new RankFailedException(rank, op + " on rank " + waiter + ": rank " + rank + " failed: " +
                    heard[rank].failure(), null);
            }
        }
        return null;
    }

    /**
     * @param worldRanks the ranks waited for, by world rank.
     * @param id         the communicator waited in, whose members left when they closed it; null for none.
     * @param grace      whether a rank must have been heard of {@value #GRACE_MILLIS} ms ago (for a wait that
     *                   may still be met by a message the rank sent before it left).
     * @return of {@code worldRanks} (other than this rank), the one heard of first as having left, or -1 when none
     * is known. A rank that failed because another left (a {@link RankFailedException}) closed its session first,
     * so it is known as finished too, but after the rank at fault.
     */
    synchronized int firstFinished(final int[] worldRanks, final String id, final boolean grace)
    {
        listen();
        final long now = System.nanoTime();
        int first = -1;
        Notice firstNotice = null;
        for (final int rank : worldRanks)
        {
            final Notice notice = left(rank, id);
            if (rank != worldRank && null != notice && (!grace || now - notice.heardAt() >= GRACE_NANOS) &&
                (null == firstNotice || notice.order() < firstNotice.order()))
            {
                first = rank;
                firstNotice = notice;
            }
        }
        return first;
    }

    /** The first notice that {@code rank} left the job or closed communicator {@code id}; null for none. */
    private Notice left(final int rank, final String id)
    {
        final Notice finished = heard[rank];
        final Notice closing = null == id ? null : closed.get(rank + "@" + id);
        if (null == finished || null == closing)
        {
            return null == finished ? closing : finished;
        }
        return finished.order() < closing.order() ? finished : closing;
    }

    /**
     * @param worldRanks the ranks waited for, by world rank.
     * @param id         the communicator waited in, whose members left when they closed it; null for none.
     * @return whether every one of {@code worldRanks} other than this rank has finished, each heard of
     * {@value #GRACE_MILLIS} ms ago; false when there is no other.
     */
    synchronized boolean allFinished(final int[] worldRanks, final String id)
    {
        listen();
        final long now = System.nanoTime();
        boolean other = false;
        for (final int rank : worldRanks)
        {
            if (rank != worldRank)
            {
                final Notice notice = left(rank, id);
                if (null == notice || now - notice.heardAt() < GRACE_NANOS)
                {
                    return false;
                }
                other = true;
            }
        }
        return other;
    }

    /**
     * @param rank a world rank named as finished.
     * @return why it stopped, e.g. {@code " (it failed in turn: ...)"}, or an empty string when it did not say.
     */
    synchronized String why(final int rank)
    {
        return null == stopped[rank] ? "" : " (it failed in turn: " + stopped[rank] + ")";
    }

    /** Receives the notices that have arrived, at most every {@value #CHECK_MILLIS} ms. */
    private void listen()
    {
        final long now = System.nanoTime();
        if (null == control || now - lastCheck < CHECK_NANOS)
        {
            return;
        }
        lastCheck = now;
        for (MpiStatus status = probe(); null != status; status = probe())
        {
            final byte[] notice = new byte[Math.max(1, status.count())];
            mpi.receive(control, notice, 0, notice.length, status.source(), TAG);
            final Kind kind = Kind.values()[notice[0]];
            final String text = new String(notice, 1, notice.length - 1, StandardCharsets.UTF_8);
            if (kind == Kind.CLOSED)
            {
                closed.putIfAbsent(status.source() + "@" + text, new Notice(kind, null, now, notices++));
            }
            else if (null == heard[status.source()] || kind == Kind.FAILED)
            {
                // A failure replaces the finish its rank sent first; a finish never replaces a failure.
                heard[status.source()] = new Notice(kind, text, now, notices++);
            }
            if (kind == Kind.STOPPED)
            {
                stopped[status.source()] = text;
            }
        }
    }

    private MpiStatus probe()
    {
        return mpi.probe(control, OpenMpiAbi.ANY_SOURCE, TAG, MpiDatatype.BYTE);
    }

    @Override
    public String toString()
    {
        return "departures heard by rank " + worldRank + ": " + Arrays.toString(heard);
    }
}
