package org.pshmem.mpj;

import java.nio.file.Path;

import org.pshmem.api.PshmemException;

/**
 * Test program: asks for a segment bigger than the directory given as first argument can hold (second
 * argument, in MiB) and prints what happened: {@code REFUSED <message>} or {@code CREATED}.
 */
public final class SegmentSpaceProbe
{
    private SegmentSpaceProbe()
    {
    }

    public static void main(final String[] args)
    {
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
}
