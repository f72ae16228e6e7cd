package org.pshmem.local;

import java.util.ArrayList;
import java.util.List;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.PshmemException;
import org.pshmem.api.RankFailedException;
import org.pshmem.spi.FailureSummary;

/**
 * Runs a job of several ranks as threads of this JVM, for tests and laptops. Each rank runs on its own
 * thread (named {@code pshmem-rank-N}) and sees a real world communicator: a rank in a collective waits for
 * the others, and when a rank throws or returns early, ranks waiting for it fail at once with
 * {@link RankFailedException} naming it. The call returns when every rank has ended.
 *
 * <pre>{@code
 * LocalJob.run(4, world -> {
 *     try (SharedDoubleArray shm = SharedArray.ofDoubles(world, 3, 5)) { ... }
 * });
 * }</pre>
 *
 * <p>Ranks run here share the JVM's static state: code run as a rank should keep its state in local variables
 * (a communicator reached from another rank's thread fails at once, naming both ranks). {@link LocalLauncher}
 * instead has each rank load the program's classes itself, so a program's statics are per rank.
 */
public final class LocalJob
{
    /** The code of one rank, given the world communicator. */
    @FunctionalInterface
    public interface RankBody
    {
        /**
         * @param world the world communicator of this rank.
         * @throws Exception any failure, which fails the job.
         */
        void run(Communicator world) throws Exception;
    }

    /** A {@code main}-like entry point of one rank, which calls {@link Pshmem#init(String[])} itself. */
    @FunctionalInterface
    public interface RankMain
    {
        /**
         * @param args the program's arguments.
         * @throws Exception any failure, which fails the job.
         */
        void run(String[] args) throws Exception;
    }

    private LocalJob()
    {
    }

    /**
     * Runs {@code body} on {@code ranks} threads, each with its own initialised runtime.
     *
     * @param ranks number of ranks, at least 1.
     * @param body  the code of every rank.
     * @throws PshmemException when any rank failed; its cause is the first failure.
     */
    public static void run(final int ranks, final RankBody body)
    {
        run(ranks, 1, body);
    }

    /**
     * Runs {@code body} on {@code ranks} threads split into {@code nodes} simulated nodes, each with its own
     * copy of every shared array; ranks are dealt to nodes in blocks, larger blocks first (3 ranks on 2
     * nodes: ranks 0 and 1 on node 0, rank 2 on node 1).
     *
     * @param ranks number of ranks, at least 1.
     * @param nodes number of simulated nodes, from 1 to {@code ranks}.
     * @param body  the code of every rank.
     * @throws PshmemException when any rank failed; its cause is the first failure.
     */
    public static void run(final int ranks, final int nodes, final RankBody body)
    {
        runMain(ranks, nodes, new String[0], args ->
        {
            try (Pshmem pshmem = Pshmem.init(args))
            {
                body.run(pshmem.world());
            }
        });
    }

    /**
     * Runs {@code main} on {@code ranks} threads of one node; each calls {@link Pshmem#init(String[])} and
     * gets its rank.
     *
     * @param ranks number of ranks, at least 1.
     * @param args  arguments given to every rank.
     * @param main  the code of every rank.
     * @throws PshmemException when any rank failed; its cause is the first failure.
     */
    public static void runMain(final int ranks, final String[] args, final RankMain main)
    {
        runMain(ranks, 1, args, main);
    }

    /**
     * Runs {@code main} on {@code ranks} threads dealt to {@code nodes} simulated nodes; each calls
     * {@link Pshmem#init(String[])} and gets its rank.
     *
     * @param ranks number of ranks, at least 1.
     * @param nodes number of simulated nodes, from 1 to {@code ranks}.
     * @param args  arguments given to every rank.
     * @param main  the code of every rank.
     * @throws PshmemException when any rank failed; its cause is the first failure.
     */
    public static void runMain(final int ranks, final int nodes, final String[] args, final RankMain main)
    {
        if (ranks < 1)
        {
            throw new IllegalArgumentException("LocalJob: ranks must be at least 1, not " + ranks);
        }
        if (nodes < 1 || nodes > ranks)
        {
            throw new IllegalArgumentException("LocalJob: nodes must be from 1 to " + ranks + ", not " + nodes);
        }
        final LocalJobState job = new LocalJobState(ranks, nodes);
        final Throwable[] failures = runRanks(job, args, main);
        final RankFailedException first = job.failure();
        if (null != first)
        {
            // Name the cause: a rank whose failure is its own, not another rank's it met while waiting.
            Throwable cause = first.getCause();
            String text = first.getMessage();
            for (int r = ranks - 1; r >= 0; r--)
            {
                if (null != failures[r] && null == FailureSummary.causedByAnother(failures[r], r))
                {
                    cause = failures[r];
                    text = "rank " + r + " failed: " + failures[r];
                }
            }
            final PshmemException failed = new PshmemException("local job of " + ranks + " ranks failed: " + text,
                cause);
            for (int r = 0; r < ranks; r++)
            {
                if (null != failures[r] && failures[r] != cause)
                {
                    failed.addSuppressed(failures[r]);
                }
            }
            throw failed;
        }
    }

    /**
     * Runs {@code main} on every rank of {@code job}, each on a thread of its own, and waits for all.
     *
     * @return what each rank threw, by world rank; null for a rank that returned.
     */
    static Throwable[] runRanks(final LocalJobState job, final String[] args, final RankMain main)
    {
        final int ranks = job.size();
        final Throwable[] failures = new Throwable[ranks];
        final List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < ranks; r++)
        {
            final int rank = r;
            final Thread thread = new Thread(() ->
            {
                LocalJobState.bind(new LocalJobState.Rank(job, rank));
                try
                {
                    main.run(args.clone());
                    job.rankFinished(rank);
                }
                catch (final Throwable ex)
                {
                    failures[rank] = ex;
                    job.rankFailed(rank, ex);
                }
                finally
                {
                    LocalJobState.bind(null);
                }
            }, "pshmem-rank-" + rank);
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            joinUninterruptibly(thread);
        }
        return failures;
    }

    private static void joinUninterruptibly(final Thread thread)
    {
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
