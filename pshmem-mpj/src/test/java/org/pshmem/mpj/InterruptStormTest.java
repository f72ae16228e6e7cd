package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;

/**
 * A rank whose thread is interrupted again and again while it sends, receives and reduces over niodev keeps its
 * connections: MPJ's writes run on a carrier no user code interrupts ({@link MpjCarrier}). Before, one interrupt
 * that landed in a write closed the connection ({@code ClosedByInterruptException}) and ended the job.
 */
class InterruptStormTest
{
    static final int ROUNDS = 1500;

    @Test
    void interruptsNeverCloseAConnection()
    {
        final MpjJobs.Result result = MpjJobs.run(List.of("-np", "3", "--device", "niodev", "--timeout", "120"),
            Storm.class.getName());
        assertEquals(0, result.status(), result.both());
        final long sum = (long)ROUNDS * (ROUNDS - 1) / 2 * 3;
        for (int rank = 0; rank < 3; rank++)
        {
            assertTrue(result.out().contains("rank " + rank + " done " + sum + " interrupts "), result.both());
        }
    }

    /** Every rank: a ring of sends and an allReduce per round, its main thread interrupted every 50 us. */
    public static final class Storm
    {
        private Storm()
        {
        }

        public static void main(final String[] args) throws Exception
        {
            try (Pshmem pshmem = Pshmem.init(args))
            {
                final Communicator world = pshmem.world();
                final Thread main = Thread.currentThread();
                final long[] interrupts = new long[1];
                final AtomicBoolean blowing = new AtomicBoolean(true);
                final Thread storm = new Thread(() ->
                {
                    while (blowing.get())
                    {
                        main.interrupt();
                        interrupts[0]++;
                        LockSupport.parkNanos(50_000);
                    }
                }, "storm");
                storm.setDaemon(true);
                storm.start();
                long sum = 0;
                final int next = (world.rank() + 1) % world.size();
                final int previous = (world.rank() + world.size() - 1) % world.size();
                for (int round = 0; round < ROUNDS; round++)
                {
                    final long[] token = {round};
                    final long[] got = new long[1];
                    if (world.rank() == 0)
                    {
                        world.send(token, next, 5);
                        world.receive(got, previous, 5);
                    }
                    else
                    {
                        world.receive(got, previous, 5);
                        world.send(token, next, 5);
                    }
                    sum += world.allReduce((long)round, ReduceOp.SUM);
                }
                blowing.set(false);
                while (storm.isAlive())
                {
                    Thread.interrupted();
                    LockSupport.parkNanos(1_000_000);
                }
                Thread.interrupted();
                world.barrier();
                System.out.println("rank " + world.rank() + " done " + sum + " interrupts " + interrupts[0]);
            }
        }
    }
}
