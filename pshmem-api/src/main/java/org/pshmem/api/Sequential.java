package org.pshmem.api;

import org.pshmem.spi.CommEndpoint;

/**
 * A turn of one rank in a sequence that runs a block on the ranks of a communicator one at a time, in rank
 * order (mpi4py's {@code mpi4py.util.sync.Sequential}). Rank 0's turn begins at once; rank {@code r}'s turn
 * begins when rank {@code r - 1} has closed its own. As in mpi4py, consecutive sequences may overlap: rank 0
 * may begin its next turn while later ranks are still in this sequence (a barrier between them prevents it).
 *
 * <pre>{@code
 * try (Sequential turn = Sequential.begin(comm)) {   // waits for rank r - 1's turn to end
 *     ... one rank at a time, rank 0 first ...
 * }                                                  // close(): rank r + 1's turn begins
 * }</pre>
 *
 * <p>{@link #begin(Communicator)} is collective over the communicator: every rank calls it, then closes the turn
 * it returns, for each sequence, in the same order as the communicator's other collective calls. It is not a
 * barrier: a rank waits only for the rank before it. The turn is passed as a message over a private
 * duplicate of the communicator, which the first turn on a communicator makes (all ranks enter that first
 * {@code begin()} before rank 0's turn begins) and the communicator keeps until it is closed; so no message of
 * the application, whatever its tag, can be taken for a turn, nor a turn for one of its messages. Later turns
 * send one small message per rank and no other. {@link #close()} is point-to-point (it sends to rank
 * {@code r + 1}, and does not wait for it) and idempotent.
 *
 * <p>Waiting in {@code begin()} spins briefly, then yields, then parks; it cannot be interrupted: an
 * interrupted rank keeps waiting, parked, and its turn begins with the interrupt flag set. When the rank it waits for fails or
 * leaves without passing the turn on, {@code begin()} throws {@link RankFailedException} naming it instead of
 * waiting for ever; so does a failure of any rank reported while waiting, except that a rank whose turn is
 * over may leave (with MPJ Express, a rank waiting behind another waiting rank that failed may instead be
 * ended by its guard, {@code GuardedRank}, as in any blocked MPJ call). A turn that ends by an exception is
 * still passed on when closed (as by try-with-resources), so the ranks after it are not left waiting.
 *
 * <p>One turn at a time per communicator and rank: beginning a turn on a communicator while this rank's
 * previous turn on it is open throws {@link IllegalStateException}. Turns on different communicators may
 * nest. A turn is used by one thread at a time.
 *
 * <p>Memory consistency effects: the actions of rank {@code r} inside its turn, before {@link #close()},
 * happen-before the actions of rank {@code r + 1} inside its turn, after {@code begin()} returns, and so on
 * along the ranks. With the local transport (ranks as threads of one JVM) this is the Java Memory Model's
 * happens-before, for every write. With one process per rank, the Java Memory Model does not reach across
 * processes; what holds is that rank {@code r + 1} sees every change rank {@code r} made to the node memory
 * of their node (through pshmem's own objects, such as {@link SharedCounter} or {@link TaskBatch}) and every
 * write rank {@code r} made to a file of a local filesystem and flushed (a stream closed or flushed) before
 * closing its turn, as the hand-over is a message that leaves rank {@code r} after those writes and reaches
 * rank {@code r + 1} before its reads. Ranks on different nodes share no memory; for them only the order of
 * the turns, and files on a filesystem both see coherently, count.
 */
public final class Sequential implements AutoCloseable
{
    private static final int TAG_TURN = 0;

    private final Chain chain;
    private final int rank;
    private final int size;
    private boolean closed;

    private Sequential(final Chain chain, final int rank, final int size)
    {
        this.chain = chain;
        this.rank = rank;
        this.size = size;
    }

    /**
     * Collective over {@code comm}: begins this rank's turn, waiting until rank {@code r - 1} has closed its
     * own (rank 0 does not wait, except for the others to enter the first turn on {@code comm}).
     *
     * @param comm the ranks that take turns; every one of them calls this.
     * @return this rank's turn; close it to pass the turn to rank {@code r + 1}.
     * @throws NullPointerException  if {@code comm} is null.
     * @throws IllegalStateException if this rank's previous turn on {@code comm} is still open, or
     *                               {@code comm} is closed.
     * @throws RankFailedException   if the rank waited for failed or left without passing the turn on, or
     *                               another rank failed while this rank waited.
     */
    public static Sequential begin(final Communicator comm)
    {
        if (null == comm)
        {
            throw new NullPointerException("Sequential.begin(): comm is null");
        }
        final Chain chain = comm.sequentialChain();
        final int rank = comm.rank();
        if (chain.inTurn)
        {
            throw new IllegalStateException("Sequential.begin() on rank " + rank + ": this rank's previous turn " +
                "on " + comm + " is still open; close it before beginning the next");
        }
        if (rank > 0)
        {
            chain.awaitTurn(rank - 1);
        }
        chain.inTurn = true;
        return new Sequential(chain, rank, comm.size());
    }

    /**
     * Ends this rank's turn and passes it to rank {@code r + 1}, without waiting for it; idempotent (a second
     * call does nothing).
     *
     * @throws IllegalStateException if the communicator was closed during the turn.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            chain.inTurn = false;
            if (rank < size - 1)
            {
                chain.passTurn(rank + 1);
            }
        }
    }

    /**
     * Returns e.g. {@code Sequential[turn of rank 1 of 4]}, or {@code Sequential[turn of rank 1 of 4, closed]}.
     *
     * @return e.g. {@code Sequential[turn of rank 1 of 4]}, or {@code Sequential[turn of rank 1 of 4, closed]}.
     */
    @Override
    public String toString()
    {
        return "Sequential[turn of rank " + rank + " of " + size + (closed ? ", closed]" : "]");
    }

    /**
     * The per-communicator part: a private duplicate over which turns are passed, and whether this rank's turn
     * is open. Made by {@link Communicator} once, collectively, and closed with it.
     */
    static final class Chain implements AutoCloseable
    {
        private final CommEndpoint endpoint;
        private final int[] worldRanks;
        private final byte[] token = new byte[1];
        private boolean inTurn;

        /**
         * Collective over {@code comm} when it has more than one rank.
         */
        Chain(final Communicator comm)
        {
            if (comm.size() > 1)
            {
                this.endpoint = comm.endpoint().split(0, comm.rank());
                this.worldRanks = comm.allGather(comm.worldRank());
            }
            else
            {
                this.endpoint = null;
                this.worldRanks = new int[] {comm.worldRank()};
            }
        }

        /**
         * Waits for rank {@code previous} to pass the turn, parking. A failure the transport reports for that
         * rank, or for a rank outside the communicator, is thrown; one reported for another member may be a
         * rank whose turn is over and has left, so the wait ends in the endpoint's receive, which throws when
         * the rank waited for fails or leaves.
         */
        void awaitTurn(final int previous)
        {
            final String op = "Sequential.begin() waiting for rank " + previous;
            final Backoff backoff = new Backoff();
            try
            {
                while (!endpoint.probe(previous, TAG_TURN))
                {
                    backoff.idle();
                    if (backoff.parking())
                    {
                        final RankFailedException failure = endpoint.failedMember(op);
                        if (null != failure && !endpoint.probe(previous, TAG_TURN))
                        {
                            final int failed = memberOf(failure.failedRank());
                            if (failed == previous || failed < 0)
                            {
                                throw failure;
                            }
                            break;
                        }
                    }
                }
            }
            finally
            {
                backoff.restoreInterrupt();
            }
            endpoint.receive(token, 0, 1, previous, TAG_TURN);
        }

        /** @return the rank in the communicator of a world rank, or -1 when it is not a member. */
        private int memberOf(final int worldRank)
        {
            for (int r = 0; r < worldRanks.length; r++)
            {
                if (worldRanks[r] == worldRank)
                {
                    return r;
                }
            }
            return -1;
        }

        void passTurn(final int next)
        {
            endpoint.send(token, 0, 1, next, TAG_TURN);
        }

        @Override
        public void close()
        {
            if (null != endpoint)
            {
                endpoint.close();
            }
        }
    }
}
