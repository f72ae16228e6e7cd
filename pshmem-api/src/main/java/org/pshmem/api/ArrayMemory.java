package org.pshmem.api;

import java.nio.ByteBuffer;

import org.pshmem.spi.NodeSegment;

/**
 * One rank's hold on the node memory of one array, seen as windows: a segment of its own, or a block of the
 * communicator's {@link NodeArena}.
 */
interface ArrayMemory
{
    /** @return log2 of the window size in bytes. */
    int windowShift();

    /** @return the number of windows. */
    int windowCount();

    /** @return window {@code index}, native order, positioned at 0, writable. */
    ByteBuffer window(int index);

    /**
     * Lets go of this rank's hold; idempotent.
     *
     * @param viewsEscaped true when a buffer over the memory was handed to the user and may still be read.
     */
    void close(boolean viewsEscaped);

    /** @return a segment of its own, as array memory. */
    static ArrayMemory of(final NodeSegment segment)
    {
        return new ArrayMemory()
        {
            @Override
            public int windowShift()
            {
                return segment.windowShift();
            }

            @Override
            public int windowCount()
            {
                return segment.windowCount();
            }

            @Override
            public ByteBuffer window(final int index)
            {
                return segment.window(index);
            }

            @Override
            public void close(final boolean viewsEscaped)
            {
                if (viewsEscaped)
                {
                    segment.close();
                }
                else
                {
                    segment.closeNow();
                }
            }
        };
    }
}
