//! Messages on their way: a slab of in-flight messages, so sending and delivering cost no
//! tree operations. Slots are reused; a message keeps its unique, ever-increasing id.

use super::ids::Addr;
use super::net::Fate;
use super::time::Micros;
use super::trace::MsgId;

/// A message on its way.
#[derive(Clone, Debug)]
pub struct Flight<M> {
    pub id: MsgId,
    pub from: Addr,
    pub to: Addr,
    pub sent_at: Micros,
    pub deliver_at: Micros,
    pub fate: Fate,
    pub msg: M,
}

/// Where a flight is stored; the delivery event carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FlightSlot {
    index: u32,
    id: MsgId,
}

/// Messages of type `M` in flight.
#[derive(Clone, Debug)]
pub struct Flights<M> {
    slots: Vec<Option<Flight<M>>>,
    free: Vec<u32>,
    len: usize,
}

impl<M> Default for Flights<M> {
    fn default() -> Flights<M> {
        Flights {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }
}

impl<M> Flights<M> {
    pub fn insert(&mut self, flight: Flight<M>) -> FlightSlot {
        let id = flight.id;
        let index = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(flight);
                i
            }
            None => {
                self.slots.push(Some(flight));
                (self.slots.len() - 1) as u32
            }
        };
        self.len += 1;
        FlightSlot { index, id }
    }

    /// The flight in `slot`, if it is still there.
    pub fn get(&self, slot: FlightSlot) -> Option<&Flight<M>> {
        self.slots
            .get(slot.index as usize)
            .and_then(Option::as_ref)
            .filter(|f| f.id == slot.id)
    }

    /// Takes the flight out, if it is still there (it may have been discarded).
    pub fn take(&mut self, slot: FlightSlot) -> Option<Flight<M>> {
        let cell = self.slots.get_mut(slot.index as usize)?;
        if cell.as_ref().is_some_and(|f| f.id == slot.id) {
            self.free.push(slot.index);
            self.len -= 1;
            cell.take()
        } else {
            None
        }
    }

    /// Removes every flight matching `pred`, returning their ids in id order.
    pub fn discard(&mut self, mut pred: impl FnMut(&Flight<M>) -> bool) -> Vec<MsgId> {
        let mut gone = Vec::new();
        for (i, cell) in self.slots.iter_mut().enumerate() {
            if cell.as_ref().is_some_and(&mut pred) {
                gone.push(cell.take().expect("checked").id);
                self.free.push(i as u32);
                self.len -= 1;
            }
        }
        gone.sort_unstable();
        gone
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// In-flight messages in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Flight<M>> {
        self.slots.iter().flatten()
    }
}
