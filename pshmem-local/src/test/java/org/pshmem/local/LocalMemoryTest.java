package org.pshmem.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/**
 * Node memory of the in-process transport: given back by the last holder; a small block no view left is zeroed
 * and reused; a block a view left is never reused, and the view then reads zeros (Java 17 to 21) or throws
 * (Java 22 and later).
 */
class LocalMemoryTest
{
    private static final int CONTROL = 1792;

    @Test
    void aSmallBlockNoViewLeftIsZeroedAndReused()
    {
        final LocalMemory first = LocalMemory.allocate(800, CONTROL);
        first.window(0).putLong(792, -1L);
        first.control().putLong(0, -1L);
        assertTrue(first.letGo(false), "the only holder is the last");
        final LocalMemory second = LocalMemory.allocate(800, CONTROL);
        assertSame(first, second, "the pooled block is reused for the same sizes");
        assertEquals(0L, second.window(0).getLong(792), "reused data is zero");
        assertEquals(0L, second.control().getLong(0), "reused control part is zero");
        assertTrue(second.hold(), "held again");
        assertFalse(second.letGo(false), "one holder is left");
        assertTrue(second.letGo(false));
        assertFalse(second.hold(), "a block given back cannot be held");
    }

    @Test
    void aBlockAViewLeftIsNeverReusedAndTheViewNeverReadsFreedMemory()
    {
        final LocalMemory memory = LocalMemory.allocate(800, CONTROL);
        final ByteBuffer view = memory.window(0).duplicate().order(memory.window(0).order());
        view.putLong(0, 7L);
        assertTrue(memory.letGo(true));
        final LocalMemory next = LocalMemory.allocate(800, CONTROL);
        assertNotSame(memory, next, "a block whose view left is not pooled");
        next.window(0).putLong(0, 9L);
        if (Runtime.version().feature() >= 22)
        {
            assertThrows(IllegalStateException.class, () -> view.getLong(0));
        }
        else
        {
            assertEquals(0L, view.getLong(0), "a view of given-back memory reads zeros");
        }
        next.letGo(false);
    }
}
