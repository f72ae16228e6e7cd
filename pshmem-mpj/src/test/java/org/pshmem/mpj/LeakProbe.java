package org.pshmem.mpj;

import java.nio.file.Files;
import java.nio.file.Path;

import org.pshmem.api.Pshmem;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.shm.SegmentNaming;
import org.pshmem.shm.ShmSegment;

/**
 * Job program for the leak tests: creates a 1 MiB shared array, then, by the first argument: {@code close}
 * closes it and ends normally; {@code throw} makes rank 1 throw while the others wait in a collective;
 * {@code hang} prints {@code READY <pid>} on every rank and sleeps, to be killed. With {@code holdThenThrow
 * GOFILE}, every rank instead holds node memory whose name still exists, as a rank does inside creation until
 * every rank of its node has mapped it, prints {@code RUNNING <rank> <pid> <file name>}, waits for GOFILE to
 * exist and throws.
 */
public final class LeakProbe
{
    private LeakProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final String mode = pshmem.args()[0];
            if (mode.equals("holdThenThrow"))
            {
                holdThenThrow(pshmem, Path.of(pshmem.args()[1]));
                return;
            }
            try (SharedDoubleArray shm = SharedArray.ofDoubles(pshmem.world(), 128, 1024))
            {
                shm.set(pshmem.world().rank() == 0 ? new double[1024] : null, Region.at(0, 0).size(1, 1024), 0);
                if (mode.equals("throw") && pshmem.world().rank() == 1)
                {
                    throw new IllegalStateException("rank 1 fails while holding a shared array");
                }
                if (mode.equals("hang"))
                {
                    System.out.println("READY " + ProcessHandle.current().pid());
                    Thread.sleep(120_000);
                }
                pshmem.world().barrier();
            }
        }
    }

    static void holdThenThrow(final Pshmem pshmem, final Path go) throws Exception
    {
        final int rank = pshmem.world().rank();
        // Not closed: the failure must leave the name to GuardedRank, as a failure inside creation does.
        final ShmSegment named = createNamed();
        System.out.println("RUNNING " + rank + " " + ProcessHandle.current().pid() + " " + fileName(named));
        System.out.flush();
        final long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(go) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        throw new IllegalStateException("rank " + rank + " fails while the name of its node memory exists");
    }

    /**
     * @return node memory of 1 MiB in this rank's segment directory whose name exists: what the creating rank
     * holds inside {@code SharedArray} creation until every rank of the node has mapped it, where segments are
     * named ({@link SegmentNaming#NAMED}, the fallback).
     */
    static ShmSegment createNamed()
    {
        return ShmSegment.create(Path.of(System.getProperty(MpjSession.SHM_DIR_PROPERTY, MpjSession.DEFAULT_SHM_DIR)),
            "held", 1 << 20, 1024, SegmentNaming.NAMED);
    }

    static String fileName(final ShmSegment segment)
    {
        return segment.file().getFileName().toString();
    }
}
