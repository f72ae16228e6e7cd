package org.pshmem.mpj;

import org.pshmem.api.PshmemException;
import org.pshmem.api.ReduceOp;
import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.TransportSession;

/**
 * Job program for {@link CollectiveWaitingTest}, on 3 ranks, on the world endpoint itself. Rank 0 plays a rank
 * waiting in a barrier made elsewhere (in node memory) while ranks 1 and 2 call {@code allReduce()}:
 * first at the next step, as ranks that already left a completed barrier would (rank 0 must not see it at the
 * barrier's step, then joins the allReduce, which completes); then at the barrier's own step (rank 0 must see it,
 * gives way to the endpoint's {@code barrier()}, and every rank fails naming both calls). Each rank prints
 * {@code PROBE-OK <rank>} when all it saw was as expected.
 */
public final class CollectiveWaitingProbe
{
    private static final long WAIT_NANOS = 30_000_000_000L;

    private CollectiveWaitingProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final TransportSession session = new MpjTransport().open(args);
        try
        {
            final CommEndpoint world = session.world();
            final int rank = world.rank();
            if (session.applicationArgs().length > 0 && session.applicationArgs()[0].equals("giveWay"))
            {
                giveWay(world);
                System.out.println("PROBE-OK " + rank);
                return;
            }
            // Step 0: a barrier elsewhere that every rank completes.
            world.enterBarrierElsewhere();
            world.exitBarrierElsewhere(true);
            // Step 1: ranks 1 and 2 go on to allReduce; rank 0, as if still waiting in step 0's barrier.
            final int[] sum = new int[1];
            if (rank == 0)
            {
                awaitWaiting(world, 1);
                check(!world.collectiveWaiting(0), "an allReduce of step 1 seen as one of step 0");
            }
            world.allReduce(new int[] {rank + 1}, sum, 1, ReduceOp.SUM);
            check(sum[0] == 6, "allReduce at step 1 gave " + sum[0]);
            // Step 2: rank 0 in a barrier elsewhere, ranks 1 and 2 in allReduce at the same step.
            String failure = null;
            try
            {
                if (rank == 0)
                {
                    world.enterBarrierElsewhere();
                    awaitWaiting(world, 2);
                    check(!world.collectiveWaiting(3), "an allReduce of step 2 seen as one of step 3");
                    world.exitBarrierElsewhere(false);
                    world.barrier();
                }
                else
                {
                    world.allReduce(new int[] {1}, sum, 1, ReduceOp.SUM);
                }
            }
            catch (final PshmemException expected)
            {
                failure = expected.getMessage();
            }
            check(null != failure && failure.startsWith("collectives do not match at step 2") &&
                failure.contains("rank 0 called barrier()") && failure.contains("ranks 1-2 called allReduce(int, SUM)"),
                "step 2 ended with: " + failure);
            System.out.println("PROBE-OK " + rank);
        }
        finally
        {
            session.close();
        }
    }

    /**
     * Ranks 0 and 1 in allReduceUnless, which rank 2 never joins: they leave it once rank 2's message (tag 7)
     * waits, and end; the messages of the barrier they left are never received.
     */
    private static void giveWay(final CommEndpoint world) throws InterruptedException
    {
        final int tag = 7;
        if (world.rank() == 2)
        {
            Thread.sleep(300);
            world.send(new int[] {1}, 0, 1, 0, tag);
            world.send(new int[] {1}, 0, 1, 1, tag);
            return;
        }
        final boolean completed = world.allReduceUnless(new long[] {1}, new long[1], 1, ReduceOp.MIN,
            () -> world.probe(2, tag));
        check(!completed, "an allReduce without rank 2 completed");
        world.receive(new int[1], 0, 1, 2, tag);
    }

    private static void awaitWaiting(final CommEndpoint world, final long step) throws InterruptedException
    {
        final long end = System.nanoTime() + WAIT_NANOS;
        while (!world.collectiveWaiting(step))
        {
            check(System.nanoTime() < end, "no collective of step " + step + " seen");
            Thread.sleep(1);
        }
    }

    private static void check(final boolean condition, final String problem)
    {
        if (!condition)
        {
            throw new IllegalStateException(problem);
        }
    }
}
