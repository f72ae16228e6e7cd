package org.pshmem.mpj;

import java.nio.file.Path;

import org.pshmem.api.Pshmem;
import org.pshmem.api.PshmemException;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedByteArray;
import org.pshmem.shm.ShmSegment;

/**
 * Test program: asks for node memory of a size in MiB that its segment directory may not hold, and prints what
 * happened. {@code DIR MiB}, in a plain JVM: a segment in DIR; prints {@code REFUSED <message>} or
 * {@code CREATED}. {@code job MiB}, as every rank of a job: a shared byte array of the world; each rank prints
 * {@code RANK <r> REFUSED <exception>} or {@code RANK <r> CREATED}, and ends normally.
 */
public final class SegmentSpaceProbe
{
    private SegmentSpaceProbe()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length >= 2 && args[args.length - 2].equals("job")) // after MPJ's own arguments, in a job
        {
            job(args);
            return;
        }
        try (ShmSegment segment = ShmSegment.create(Path.of(args[0]), "probe", Long.parseLong(args[1]) << 20, 1024))
        {
            segment.window(0).put(0, (byte)1);
            System.out.println("CREATED");
        }
        catch (final PshmemException ex)
        {
            System.out.println("REFUSED " + ex.getMessage());
        }
    }

    private static void job(final String[] args)
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final int rank = pshmem.world().rank();
            final long mib = Long.parseLong(pshmem.args()[1]);
            String outcome;
            try (SharedByteArray shm = SharedArray.ofBytes(pshmem.world(), mib << 20))
            {
                outcome = "CREATED";
            }
            catch (final RuntimeException ex)
            {
                outcome = "REFUSED " + ex;
            }
            System.out.println("RANK " + rank + " " + outcome.replace('\n', ' '));
            pshmem.world().barrier();
        }
    }
}
