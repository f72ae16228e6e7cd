package org.pshmem.mpj;

import org.pshmem.api.Communicator;
import org.pshmem.api.DistributedLock;
import org.pshmem.api.Pshmem;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.api.TaskBatch;
import org.pshmem.shm.ShmSegment;

/**
 * Job program for the kill tests: every rank prints {@code RUNNING <rank> <pid>} once, then repeats one
 * operation for up to a minute, to be killed in the middle of it. Phases: {@code create} (create and close
 * arrays), {@code churn} (create an array of 1 to 64 rows of 1024 doubles, or every fourth time 259 to 319 rows,
 * over 2 MiB, so that both small arrays and arrays of a segment of their own are made; set one row of it from
 * a rotating writer; close it), {@code set} (rotating writers), {@code lock} (lock and unlock), {@code batch}
 * (workers of one rank take and finish tasks), {@code idle} (holds an array and sleeps), {@code hold} (holds
 * node memory whose name still exists, as a rank does inside creation before every rank of its node has mapped
 * it, and sleeps; the RUNNING line then ends with the file's name), {@code fail} (holds such a name, and throws
 * once the file {@link #goFile} of the token exists). The second argument marks the processes of one test.
 */
public final class ChurnProbe
{
    private ChurnProbe()
    {
    }

    /** @return the file whose creation makes the ranks of the {@code fail} phase throw. */
    static java.nio.file.Path goFile(final String token)
    {
        return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), token + ".go");
    }

    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            final String phase = pshmem.args()[0];
            if (phase.equals("fail"))
            {
                LeakProbe.holdThenThrow(pshmem, goFile(pshmem.args()[1]));
            }
            final long end = System.nanoTime() + 60_000_000_000L;
            try (SharedDoubleArray held = SharedArray.ofDoubles(world, 64, 1024);
                DistributedLock lock = DistributedLock.create(world);
                ShmSegment named = phase.equals("hold") ? LeakProbe.createNamed() : null)
            {
                System.out.println("RUNNING " + world.rank() + " " + ProcessHandle.current().pid() +
                    (null == named ? "" : " " + LeakProbe.fileName(named)));
                System.out.flush();
                final double[] row = new double[1024];
                for (long i = 0; System.nanoTime() < end; i++)
                {
                    switch (phase)
                    {
                        case "create":
                            SharedArray.ofDoubles(world, 256, 1024).close();
                            break;
                        case "churn":
                            // Every fourth array over 2 MiB (a segment of its own), the others 8 to 512 KiB.
                            try (SharedDoubleArray churned = SharedArray.ofDoubles(world,
                                (i % 4 == 3 ? 256 : 1) + i % 64, 1024))
                            {
                                final int setter = (int)(i % world.size());
                                churned.set(world.rank() == setter ? row : null, Region.at(0, 0).size(1, 1024),
                                    setter);
                            }
                            break;
                        case "set":
                            final int writer = (int)(i % world.size());
                            held.set(world.rank() == writer ? row : null, Region.at(i % 64, 0).size(1, 1024), writer);
                            break;
                        case "lock":
                            lock.lock();
                            Thread.onSpinWait();
                            lock.unlock();
                            break;
                        case "batch":
                            try (TaskBatch batch = TaskBatch.builder(world, 100_000).build())
                            {
                                for (java.util.OptionalInt task = batch.nextTask(); task.isPresent() &&
                                    System.nanoTime() < end; task = batch.nextTask())
                                {
                                    batch.setState(task.getAsInt(), TaskBatch.State.DONE);
                                }
                            }
                            break;
                        case "idle":
                        case "hold":
                            Thread.sleep(100);
                            break;
                        default:
                            throw new IllegalArgumentException("ChurnProbe: unknown phase " + phase);
                    }
                }
            }
        }
    }
}
