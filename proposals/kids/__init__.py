"""儿童投票: children's profiles, the children's part of a budget round, its ballot on a
kiosk tablet or a guardian's phone, its separate results, and children's ideas."""
